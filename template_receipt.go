package messenger

import (
	"encoding/json"
	"strconv"
	"time"
)

// ReceiptTemplate is an order confirmation (docs/platform.md, “Templates”). RecipientName,
// OrderNumber (unique per Page), Currency, PaymentMethod and Summary.TotalCost are
// required; at most 100 Elements.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/template/receipt
type ReceiptTemplate struct {
	// Sharable shows Messenger's native share button; false is the default, not sent.
	Sharable      bool   `json:"sharable,omitempty"`
	RecipientName string `json:"recipient_name"`
	MerchantName  string `json:"merchant_name,omitempty"`
	// OrderNumber must be unique.
	OrderNumber string `json:"order_number"`
	// Currency is an ISO 4217 code such as "USD".
	Currency string `json:"currency"`
	// PaymentMethod is free text such as "Visa 2345".
	PaymentMethod string `json:"payment_method"`
	OrderURL      string `json:"order_url,omitempty"`
	// Timestamp is the order time, sent in seconds; the zero time is not sent.
	Timestamp   time.Time           `json:"-"`
	Address     *ReceiptAddress     `json:"address,omitempty"`
	Summary     ReceiptSummary      `json:"summary"`
	Adjustments []ReceiptAdjustment `json:"adjustments,omitempty"`
	Elements    []ReceiptElement    `json:"elements,omitempty"`
}

// ReceiptAddress is the shipping address of a receipt; all fields but Street2 are
// required, Country is a two-letter code.
type ReceiptAddress struct {
	Street1    string `json:"street_1"`
	Street2    string `json:"street_2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	State      string `json:"state"`
	Country    string `json:"country"`
}

// ReceiptSummary holds the totals of a receipt; TotalCost is required and always
// sent.
type ReceiptSummary struct {
	Subtotal     float64 `json:"subtotal,omitempty"`
	ShippingCost float64 `json:"shipping_cost,omitempty"`
	TotalTax     float64 `json:"total_tax,omitempty"`
	TotalCost    float64 `json:"total_cost"`
}

// ReceiptAdjustment is a discount or surcharge line of a receipt.
type ReceiptAdjustment struct {
	Name   string  `json:"name"`
	Amount float64 `json:"amount"`
}

// ReceiptElement is one item of a receipt; Title is required.
type ReceiptElement struct {
	Title    string  `json:"title"`
	Subtitle string  `json:"subtitle,omitempty"`
	Quantity int     `json:"quantity,omitempty"`
	Price    float64 `json:"price"`
	Currency string  `json:"currency,omitempty"`
	ImageURL string  `json:"image_url,omitempty"`
}

// TemplateType returns "receipt".
func (*ReceiptTemplate) TemplateType() string { return "receipt" }

type receiptFields ReceiptTemplate

func (t *ReceiptTemplate) templatePayload() any {
	var ts string
	if !t.Timestamp.IsZero() {
		ts = strconv.FormatInt(t.Timestamp.Unix(), 10)
	}
	return struct {
		TemplateType string `json:"template_type"`
		*receiptFields
		Timestamp string `json:"timestamp,omitempty"`
	}{"receipt", (*receiptFields)(t), ts}
}

// MarshalJSON encodes t as the wire template payload, template_type included.
func (t *ReceiptTemplate) MarshalJSON() ([]byte, error) { return json.Marshal(t.templatePayload()) }

func (t *ReceiptTemplate) validateTemplate(v *validator, path string) {
	v.required(path, ".recipient_name", t.RecipientName, "a receipt names its recipient")
	v.required(path, ".order_number", t.OrderNumber, "a receipt needs an order number")
	v.required(path, ".payment_method", t.PaymentMethod, "a receipt names the payment method")
	if v.required(path, ".currency", t.Currency, "a receipt needs a currency") {
		checkCurrency(v, path+".currency", t.Currency)
	}
	if t.OrderURL != "" {
		v.webURL(path, ".order_url", t.OrderURL, false)
	}
	if a := t.Address; a != nil {
		p := path + ".address"
		v.required(p, ".street_1", a.Street1, "an address needs a street")
		v.required(p, ".city", a.City, "an address needs a city")
		v.required(p, ".postal_code", a.PostalCode, "an address needs a postal code")
		v.required(p, ".state", a.State, "an address needs a state")
		if len(a.Country) != 2 {
			v.fail(p, ".country", "a two-letter country code", preview(a.Country), "not a two-letter country code")
		}
	}
	for i := range t.Adjustments {
		v.required(index(path+".adjustments", i), ".name", t.Adjustments[i].Name, "an adjustment needs a name")
	}
	v.count(path, ".elements", len(t.Elements), 0, MaxReceiptElements, "elements")
	for i := range t.Elements {
		e, p := &t.Elements[i], index(path+".elements", i)
		v.required(p, ".title", e.Title, "a receipt item needs a title")
		if e.Currency != "" {
			checkCurrency(v, p+".currency", e.Currency)
		}
		if e.ImageURL != "" {
			v.webURL(p, ".image_url", e.ImageURL, false)
		}
	}
}

// checkCurrency checks an ISO 4217 code: three upper-case letters.
func checkCurrency(v *validator, field, c string) {
	ok := len(c) == 3
	for i := 0; ok && i < 3; i++ {
		ok = c[i] >= 'A' && c[i] <= 'Z'
	}
	if !ok {
		v.fail(field, "", "an ISO 4217 code of three upper-case letters", preview(c), "not a currency code")
	}
}
