package messenger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PageInboxAppID is the app id of the Page Inbox: pass a thread to it to hand the
// conversation to people answering in the Page's inbox (docs/platform.md, “Handover protocol”).
const PageInboxAppID = "263902037430900"

// ThreadOwnership says which app controls a conversation (docs/platform.md, “Handover protocol”).
type ThreadOwnership struct {
	// AppID is the app that controls the thread.
	AppID string
	// Expiration is when control lapses back (new handover behaviour); zero if Graph
	// did not say.
	Expiration time.Time
}

// SecondaryReceiver is an app with the secondary receiver role on the Page.
type SecondaryReceiver struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// handoverWire is the body of the thread-control calls.
type handoverWire struct {
	Recipient   Recipient   `json:"recipient"`
	TargetAppID json.Number `json:"target_app_id,omitempty"`
	Metadata    string      `json:"metadata,omitempty"`
}

// graphID decodes an id Graph sends as a string or as a number.
type graphID string

// UnmarshalJSON accepts a JSON string or number.
func (g *graphID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*g = graphID(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*g = graphID(n)
	return nil
}

// successWire is the {"success":true} answer of many Graph calls.
type successWire struct {
	Success bool `json:"success"`
}

func (s successWire) err(call string) error {
	if !s.Success {
		return errors.New("messenger: " + call + " answered without success")
	}
	return nil
}

// checkPSID refuses an empty id or one that would change the request path.
func checkPSID(v *validator, field, psid string) {
	if v.required(field, "", psid, "a person's page-scoped id is needed") && strings.ContainsAny(psid, "/?#&% \t\n") {
		v.fail(field, "", "a page-scoped id", preview(psid), "characters not allowed in an id")
	}
}

func (c *Client) threadControl(ctx context.Context, call, psid, targetAppID, metadata string, out any) error {
	var v validator
	checkPSID(&v, "recipient.id", psid)
	if targetAppID != "" {
		if _, err := strconv.ParseUint(targetAppID, 10, 64); err != nil {
			v.fail("target_app_id", "", "a numeric app id", preview(targetAppID), "not an app id")
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	body := handoverWire{Recipient: PSID(psid), TargetAppID: json.Number(targetAppID), Metadata: metadata}
	return c.Do(ctx, http.MethodPost, c.PagePath(call), body, out)
}

// PassThreadControl hands the conversation with psid to the app targetAppID (for
// example PageInboxAppID), with metadata passed verbatim to that app's handover
// webhook (docs/platform.md, “Handover protocol”). A secondary receiver may pass "" to return control to the
// primary receiver. Don't put secrets or personal data in metadata.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/handover-protocol/pass-thread-control
func (c *Client) PassThreadControl(ctx context.Context, psid, targetAppID, metadata string) error {
	var out successWire
	if err := c.threadControl(ctx, "pass_thread_control", psid, targetAppID, metadata, &out); err != nil {
		return err
	}
	return out.err("pass_thread_control")
}

// TakeThreadControl takes the conversation with psid from the app that controls it
// (primary receiver only), with metadata for the previous owner (docs/platform.md, “Handover protocol”).
// Under the current handover behaviour Graph answers with the new ownership, which
// is returned; under the old behaviour it answers only {"success":true} and the
// ownership is nil.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/handover-protocol
func (c *Client) TakeThreadControl(ctx context.Context, psid, metadata string) (*ThreadOwnership, error) {
	var out struct {
		Success *bool           `json:"success"`
		Data    []ownershipWire `json:"data"`
	}
	if err := c.threadControl(ctx, "take_thread_control", psid, "", metadata, &out); err != nil {
		return nil, err
	}
	if len(out.Data) > 0 {
		return out.Data[0].ThreadOwner.ownership(), nil
	}
	if out.Success != nil && *out.Success {
		return nil, nil
	}
	return nil, errors.New("messenger: take_thread_control answered without success")
}

// RequestThreadControl asks the primary receiver for control of the conversation
// with psid; metadata reaches it in the request_thread_control webhook.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/handover-protocol
func (c *Client) RequestThreadControl(ctx context.Context, psid, metadata string) error {
	var out successWire
	if err := c.threadControl(ctx, "request_thread_control", psid, "", metadata, &out); err != nil {
		return err
	}
	return out.err("request_thread_control")
}

// ReleaseThreadControl gives control of the conversation with psid back, to idle
// mode or the primary receiver; metadata is optional.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/handover-protocol
func (c *Client) ReleaseThreadControl(ctx context.Context, psid, metadata string) error {
	var out successWire
	if err := c.threadControl(ctx, "release_thread_control", psid, "", metadata, &out); err != nil {
		return err
	}
	return out.err("release_thread_control")
}

type ownershipWire struct {
	ThreadOwner threadOwnerWire `json:"thread_owner"`
}

type threadOwnerWire struct {
	AppID      graphID `json:"app_id"`
	Expiration int64   `json:"expiration"`
}

func (o *threadOwnerWire) ownership() *ThreadOwnership {
	t := &ThreadOwnership{AppID: string(o.AppID)}
	if o.Expiration > 0 {
		t.Expiration = time.Unix(o.Expiration, 0).UTC()
	}
	return t
}

// ThreadOwner returns the app that controls the conversation with psid (GET
// /{page}/thread_owner?recipient=psid), or nil when no app does (idle mode).
// A secondary receiver may only learn whether it owns the thread itself: Graph
// answers 100/2018234 otherwise.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/handover-protocol/get-thread-owner
func (c *Client) ThreadOwner(ctx context.Context, psid string) (*ThreadOwnership, error) {
	var v validator
	checkPSID(&v, "recipient", psid)
	if err := v.err(); err != nil {
		return nil, err
	}
	var out struct {
		Data []ownershipWire `json:"data"`
	}
	path := c.PagePath("thread_owner") + "?" + url.Values{"recipient": {psid}}.Encode()
	if err := c.Do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	if len(out.Data) == 0 || out.Data[0].ThreadOwner.AppID == "" {
		return nil, nil
	}
	return out.Data[0].ThreadOwner.ownership(), nil
}

// SecondaryReceivers lists the apps with the secondary receiver role on the Page
// (GET /{page}/secondary_receivers?fields=id,name); only the primary receiver may
// ask.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/handover-protocol
func (c *Client) SecondaryReceivers(ctx context.Context) ([]SecondaryReceiver, error) {
	var out struct {
		Data []struct {
			ID   graphID `json:"id"`
			Name string  `json:"name"`
		} `json:"data"`
	}
	if err := c.Do(ctx, http.MethodGet, c.PagePath("secondary_receivers")+"?fields=id,name", nil, &out); err != nil {
		return nil, err
	}
	rs := make([]SecondaryReceiver, len(out.Data))
	for i, d := range out.Data {
		rs[i] = SecondaryReceiver{ID: string(d.ID), Name: d.Name}
	}
	return rs, nil
}
