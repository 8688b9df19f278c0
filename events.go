package messenger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// Event is one thing a webhook delivered: one item of an entry's "messaging" or
// "standby" array, or one Page feed change (docs/platform.md, “Webhook deliveries”).
//
// The set of event types is closed: a type switch over the pointer types of this file
// ([*MessageEvent], [*EchoEvent], [*PostbackEvent], … [*FeedEvent]) covers every kind
// the platform documents, and [*UnknownEvent] carries anything else with its raw JSON.
//
// Every event marshals with encoding/json to the wire JSON it came from: the bytes
// received, unknown fields included, as long as its fields were not changed; the JSON
// of its fields otherwise (and for events built in code). [MarshalEnvelope] wraps events
// into a webhook body, so the same types generate deliveries in tests and fakes.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
type Event interface {
	// Info returns the metadata every event has; it points into the event, so setting
	// its fields changes the event.
	Info() *EventInfo
	// Kind names the event for logs and metrics: the wire key of the item ("message",
	// "postback", "read", …), "echo" for message echoes, "feed" for feed changes, and
	// the unknown key or change field for an [UnknownEvent].
	Kind() string
	json.Marshaler
	// event keeps implementations inside this package.
	event()
}

// EventInfo is the metadata common to every event. Concrete events embed it, so
// e.Sender, e.Time and so on read directly.
type EventInfo struct {
	// PageID is the id of the entry the event came in: the Page it happened on.
	PageID string
	// Sender is who acted: the person (PSID, or a user_ref for chat-plugin and checkbox
	// events) for user actions, the Page for echoes, the author for feed changes.
	// It is empty for app_roles and policy_enforcement.
	Sender Party
	// Recipient is the other side: usually the Page; the person for echoes.
	Recipient Party
	// Time is the item's timestamp (epoch milliseconds on the wire), or for feed changes
	// the created_time (epoch seconds). Zero when the item has none (deliveries may not).
	Time time.Time
	// Standby is true for items delivered in an entry's "standby" array: the thread is
	// owned by another app (handover protocol, docs/platform.md, “Handover protocol”), so this app only watches.
	Standby bool

	raw     string // the item exactly as received; "" for events built in code
	entryMs int64  // the entry's time in epoch milliseconds, to order events without a timestamp
}

// Info returns e itself.
func (e *EventInfo) Info() *EventInfo { return e }

func (*EventInfo) event() {}

// Party is one side of an event: a Page or a person.
type Party struct {
	// ID is a PSID (page-scoped user id), a Page id, or a user id in feed changes.
	ID string `json:"id,omitempty"`
	// UserRef identifies a person who has no PSID yet: chat-plugin (v7.0+) and checkbox
	// plugin events carry it instead of ID (docs/platform.md, “Webhook deliveries”).
	UserRef string `json:"user_ref,omitempty"`
	// Name is the display name; only feed changes' "from" has it.
	Name string `json:"name,omitempty"`
}

// key identifies the party for routing and stores: the ID, or else the user_ref.
func (p Party) key() string {
	if p.ID != "" {
		return p.ID
	}
	return p.UserRef
}

// UnknownEvent is an item the SDK does not model: a messaging item whose event key is
// not one of the documented kinds (for example the legacy "payment"), a Page change of a
// field other than "feed", or an entry member that is not an object. Nothing is dropped:
// Raw holds the JSON as received.
type UnknownEvent struct {
	EventInfo
	// Key is the unrecognised key of a messaging or standby item, if any.
	Key string
	// Field is the "field" of a Page change ("mention", "ratings", …); non-empty means
	// the event is a change and [MarshalEnvelope] puts it under "changes".
	Field string
	// Raw is the item or change exactly as received, and what MarshalJSON returns.
	Raw json.RawMessage
}

// Kind returns the unknown key or change field, or "unknown".
func (e *UnknownEvent) Kind() string {
	switch {
	case e.Key != "":
		return e.Key
	case e.Field != "":
		return e.Field
	}
	return "unknown"
}

// MarshalJSON returns Raw; without Raw, the item's common fields.
func (e *UnknownEvent) MarshalJSON() ([]byte, error) {
	if len(e.Raw) > 0 {
		return bytes.Clone(e.Raw), nil
	}
	if e.Field != "" {
		return json.Marshal(struct {
			Field string `json:"field"`
		}{e.Field})
	}
	return marshalItem(&e.EventInfo, "", nil)
}

// UnmarshalJSON decodes a messaging item or a Page change kept as unknown.
func (e *UnknownEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// ParseEvents decodes a webhook body ({"object":"page","entry":[…]}) into events, in the
// order they appear: every entry, every item of its "messaging" and "standby" arrays
// (standby ones marked [EventInfo.Standby]) and every "changes" member. Known kinds
// become their concrete types; anything else becomes an [*UnknownEvent], never an error.
//
// It fails only when body is not valid JSON or not a JSON object, with an error that
// wraps [ErrMalformedPayload]. Numbers Meta sends sometimes as strings and sometimes as
// numbers decode either way; ids stay strings; timestamps become time.Time (epoch
// milliseconds for messaging items, seconds for feed changes).
//
// ParseEvents does not verify the signature: do that first on the same bytes
// ([VerifySignature]), or let a [Webhook] do both.
func ParseEvents(body []byte) ([]Event, error) {
	return parseEnvelope(string(body), nil)
}

// ParseEvent decodes one messaging item or one Page change, as [Event.MarshalJSON]
// produced it (for example from a log or a store). The result has no PageID: the
// item does not carry it.
func ParseEvent(item []byte) (Event, error) {
	s := string(item)
	r := newJSONReader(s)
	if c := r.Peek(); c != '{' {
		r.Fail("an event must be a JSON object")
		return nil, r.Err()
	}
	if isChange(s) {
		ev := r.change()
		r.End()
		if r.Err() != nil {
			return nil, r.Err()
		}
		fixEntry(ev, "", 0)
		return ev, nil
	}
	ev := r.item(false)
	r.End()
	if r.Err() != nil {
		return nil, r.Err()
	}
	return ev, nil
}

// isChange reports whether the object s (known valid up to its end or not) has the
// "field" key of a Page change and no messaging keys.
func isChange(s string) bool {
	r := newJSONReader(s)
	field := false
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "field":
			field = true
		case "sender", "recipient", "timestamp":
			return false
		}
		r.Skip()
	}
	return field
}

func parseEnvelope(s string, out []Event) ([]Event, error) {
	r := newJSONReader(s)
	switch r.Peek() {
	case '{':
	case 'n':
		r.Literal()
		r.End()
		return out, r.Err()
	default:
		r.Fail("a webhook body must be a JSON object")
		return nil, r.Err()
	}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		if r.Key() != "entry" {
			r.Skip()
			continue
		}
		if r.Peek() != '[' {
			out = r.entry(out)
			continue
		}
		for ok := r.Enter('['); ok; ok = r.Next(']') {
			out = r.entry(out)
		}
	}
	r.End()
	if r.Err() != nil {
		return nil, r.Err()
	}
	return out, nil
}

// entry appends the events of one entry.
func (r *jsonReader) entry(out []Event) []Event {
	switch r.Peek() {
	case '{':
	case 'n':
		r.Literal()
		return out
	default:
		raw := r.Raw()
		if r.Err() == nil {
			out = append(out, &UnknownEvent{Raw: json.RawMessage(raw)})
		}
		return out
	}
	first := len(out)
	var id string
	var t int64
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "id":
			id = r.Str()
		case "time":
			t = r.Int()
		case "messaging":
			out = r.items(out, false)
		case "standby":
			out = r.items(out, true)
		case "changes":
			out = r.changes(out)
		default:
			r.Skip()
		}
	}
	if r.Err() != nil {
		return out
	}
	for _, ev := range out[first:] {
		fixEntry(ev, id, t)
	}
	return out
}

// appendEvent appends ev unless decoding failed (ev is nil).
func appendEvent(out []Event, ev Event) []Event {
	if ev == nil {
		return out
	}
	return append(out, ev)
}

// fixEntry sets what an event learns from its entry. Changes were marked with
// entryMs = -1: their entry time is in seconds.
func fixEntry(ev Event, pageID string, t int64) {
	in := ev.Info()
	in.PageID = pageID
	if in.entryMs == -1 {
		in.entryMs = t * 1000
	} else {
		in.entryMs = t
	}
}

func (r *jsonReader) items(out []Event, standby bool) []Event {
	if r.Peek() != '[' {
		if r.IsNull() {
			return out
		}
		return appendEvent(out, r.item(standby))
	}
	for ok := r.Enter('['); ok; ok = r.Next(']') {
		out = appendEvent(out, r.item(standby))
	}
	return out
}

// item decodes one messaging or standby item. The event key may come before or after
// sender, recipient and timestamp; the first known key decides the type.
func (r *jsonReader) item(standby bool) Event {
	r.SkipSpace()
	start := r.Pos()
	var (
		ev        Event
		sender    Party
		recipient Party
		ts        int64
		unknown   string
	)
	if r.Peek() != '{' {
		r.Skip()
		if r.Err() != nil {
			return nil
		}
		return &UnknownEvent{EventInfo: EventInfo{Standby: standby}, Raw: json.RawMessage(r.From(start))}
	}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch k := r.Key(); k {
		case "sender":
			sender = r.party()
		case "recipient":
			recipient = r.party()
		case "timestamp":
			ts = r.Int()
		default:
			if ev != nil {
				r.Skip()
				continue
			}
			if ev = r.payload(k); ev == nil && unknown == "" {
				unknown = k
			}
		}
	}
	if r.Err() != nil {
		return nil
	}
	raw := r.From(start)
	if ev == nil {
		ev = &UnknownEvent{Key: unknown, Raw: json.RawMessage(raw)}
	}
	in := ev.Info()
	in.Sender, in.Recipient, in.Time = sender, recipient, millis(ts)
	in.Standby, in.raw = standby, raw
	return ev
}

// payload decodes the value of event key k into its event, or skips it and returns nil
// when k is not a known event key.
func (r *jsonReader) payload(k string) Event {
	switch k {
	case "message":
		m := r.message()
		if m.IsEcho {
			return &EchoEvent{Message: m}
		}
		return &MessageEvent{Message: m}
	case "message_edit":
		return r.messageEdit()
	case "postback":
		return r.postback()
	case "referral":
		return &ReferralEvent{Referral: r.referral()}
	case "optin":
		return r.optin()
	case "delivery":
		return r.delivery()
	case "read":
		return r.read()
	case "reaction":
		return r.reaction()
	case "pass_thread_control":
		return r.passThread()
	case "take_thread_control":
		return r.takeThread()
	case "request_thread_control":
		return r.requestThread()
	case "app_roles":
		return r.appRoles()
	case "policy_enforcement", "policy-enforcement":
		return r.policyEnforcement()
	case "account_linking":
		return r.accountLinking()
	case "messaging_feedback":
		return r.messagingFeedback()
	case "game_play":
		return r.gamePlay()
	case "response_feedback":
		return r.responseFeedback()
	}
	r.Skip()
	return nil
}

func (r *jsonReader) changes(out []Event) []Event {
	if r.Peek() != '[' {
		if r.IsNull() {
			return out
		}
		return appendEvent(out, r.change())
	}
	for ok := r.Enter('['); ok; ok = r.Next(']') {
		out = appendEvent(out, r.change())
	}
	return out
}

// change decodes one {"field": …, "value": …} member of "changes". The value is decoded
// after the object ends, since "field" may follow it.
func (r *jsonReader) change() Event {
	r.SkipSpace()
	start := r.Pos()
	var field, value string
	if r.Peek() == '{' {
		for ok := r.Enter('{'); ok; ok = r.Next('}') {
			switch r.Key() {
			case "field":
				field = r.Str()
			case "value":
				value = r.Raw()
			default:
				r.Skip()
			}
		}
	} else {
		r.Skip()
	}
	if r.Err() != nil {
		return nil
	}
	raw := r.From(start)
	var ev Event
	if field == "feed" || field == "group_feed" {
		if value == "" {
			value = "{}"
		}
		vr := newJSONReader(value)
		ev = vr.feed(field)
	} else {
		ev = &UnknownEvent{Field: field, Raw: json.RawMessage(raw)}
	}
	in := ev.Info()
	in.raw, in.entryMs = raw, -1
	return ev
}

// unchanged returns the raw bytes e was decoded from if its fields still say exactly
// what those bytes say. It decodes the raw item again and compares, so it costs a
// decode, but only when an event is marshalled.
func unchanged(e Event) ([]byte, bool) {
	in := e.Info()
	if in.raw == "" {
		return nil, false
	}
	var fresh Event
	r := newJSONReader(in.raw)
	if _, isFeed := e.(*FeedEvent); isFeed {
		fresh = r.change()
	} else {
		fresh = r.item(in.Standby)
	}
	if r.Err() != nil || fresh == nil {
		return nil, false
	}
	fi := fresh.Info()
	fi.PageID, fi.Standby, fi.entryMs = in.PageID, in.Standby, in.entryMs
	if !reflect.DeepEqual(fresh, e) {
		return nil, false
	}
	return []byte(in.raw), true
}

// marshalItem writes {"sender":…,"recipient":…,"timestamp":…,"<key>":<payload>}.
func marshalItem(in *EventInfo, key string, payload any) ([]byte, error) {
	var p []byte
	if key != "" {
		var err error
		if p, err = json.Marshal(payload); err != nil {
			return nil, err
		}
	}
	b := make([]byte, 0, 96+len(p))
	b = append(b, '{')
	if in.Sender != (Party{}) {
		b = appendParty(append(b, `"sender":`...), in.Sender)
	}
	if in.Recipient != (Party{}) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendParty(append(b, `"recipient":`...), in.Recipient)
	}
	if !in.Time.IsZero() {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `"timestamp":`...), in.Time.UnixMilli(), 10)
	}
	if key != "" {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(strconv.AppendQuote(b, key), ':')
		b = append(b, p...)
	}
	return append(b, '}'), nil
}

func appendParty(b []byte, p Party) []byte {
	j, _ := json.Marshal(p) // a struct of strings cannot fail
	return append(b, j...)
}

// unmarshalEvent decodes b into dst, which must be the type b holds. PageID and Standby,
// which the item does not carry, keep their values.
func unmarshalEvent[T any, P interface {
	*T
	Event
}](dst P, b []byte) error {
	ev, err := ParseEvent(b)
	if err != nil {
		return err
	}
	src, ok := ev.(P)
	if !ok {
		return fmt.Errorf("messenger: cannot decode a %q event into %T", ev.Kind(), dst)
	}
	keep := *dst.Info()
	*dst = *src
	in := dst.Info()
	in.PageID, in.Standby = keep.PageID, keep.Standby
	return nil
}

// MarshalEnvelope builds a webhook body ({"object":"page","entry":[…]}) holding events,
// as Meta would deliver them: each run of consecutive events with the same PageID and
// array becomes one entry, standby events go to "standby", feed changes (and unknown
// events with a Field) to "changes", everything else to "messaging". The entry time is
// the first event's time. Sign the result with [SignPayload].
//
// Every event needs a PageID. ParseEvents(MarshalEnvelope(events)) gives the events back.
func MarshalEnvelope(events ...Event) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"object":"page","entry":[`)
	open := false
	var page, array string
	for i, ev := range events {
		if ev == nil {
			return nil, fmt.Errorf("messenger: MarshalEnvelope: event %d is nil", i)
		}
		in := ev.Info()
		if in.PageID == "" {
			return nil, fmt.Errorf("messenger: MarshalEnvelope: event %d (%s) has no PageID", i, ev.Kind())
		}
		arr, seconds := "messaging", false
		switch e := ev.(type) {
		case *FeedEvent:
			arr, seconds = "changes", true
		case *UnknownEvent:
			if e.Field != "" {
				arr, seconds = "changes", true
			}
		}
		if arr == "messaging" && in.Standby {
			arr = "standby"
		}
		item, err := ev.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("messenger: MarshalEnvelope: event %d (%s): %w", i, ev.Kind(), err)
		}
		if !open || page != in.PageID || array != arr {
			if open {
				b.WriteString("]},")
			}
			open, page, array = true, in.PageID, arr
			id, _ := json.Marshal(page)
			b.WriteString(`{"id":`)
			b.Write(id)
			if t := in.Time; !t.IsZero() {
				b.WriteString(`,"time":`)
				if seconds {
					b.WriteString(strconv.FormatInt(t.Unix(), 10))
				} else {
					b.WriteString(strconv.FormatInt(t.UnixMilli(), 10))
				}
			}
			b.WriteString(`,"` + arr + `":[`)
		} else {
			b.WriteByte(',')
		}
		b.Write(item)
	}
	if open {
		b.WriteString("]}")
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}
