package bench

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net/http"
	"testing"

	ekyoung "github.com/ekyoung/fbmessenger"
	maciekmm "github.com/maciekmm/messenger-platform-go-sdk"
	mileusna "github.com/mileusna/facebook-messenger"
	paked "github.com/paked/messenger"
)

// sendLib is one way of sending "Hello, world!" to psid. setup points the library
// at the loopback server srv and returns the send function; it is called once per
// benchmark and the function may be called from many goroutines. How each one
// uses connections is in catalog.Sends.
type sendLib struct {
	name  string
	setup func(tb testing.TB, srv *sendServer) func() error
}

// sendLibs are the peers and the floor; ours are added by sendOursLibs
// (send_ours_test.go).
var sendLibs = []sendLib{
	{name: "floor", setup: floorSend},
	{name: "paked", setup: pakedSend},
	{name: "maciekmm", setup: maciekmmSend},
	{name: "mileusna", setup: mileusnaSend},
	{name: "ekyoung", setup: ekyoungSend},
}

var floorBody = []byte(`{"recipient":{"id":"` + psid + `"},"messaging_type":"RESPONSE","message":{"text":"` + sendText + `"}}`)

// floorSend is a bare net/http POST of ready JSON bytes over a pooled transport,
// draining the answer so the connection is reused. It decodes nothing.
func floorSend(tb testing.TB, srv *sendServer) func() error {
	tr := pooledTransport()
	tb.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	u := srv.URL + "/v25.0/me/messages?access_token=" + pageToken
	return func() error {
		resp, err := hc.Post(u, "application/json", bytes.NewReader(floorBody))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
}

// pakedSend: its Graph address is a constant, so http.DefaultTransport is
// swapped for one that points it at the loopback server (see redirect).
func pakedSend(tb testing.TB, srv *sendServer) func() error {
	host := srv.Listener.Addr().String()
	withDefaultTransport(tb, func(base *http.Transport) http.RoundTripper { return &redirect{host: host, inner: base} })
	m := paked.New(paked.Options{Token: pageToken})
	return func() error { return m.Send(paked.Recipient{ID: psidNum}, sendText, paked.ResponseType) }
}

// maciekmmSend: its Graph address is the package variable GraphAPI.
func maciekmmSend(tb testing.TB, srv *sendServer) func() error {
	withDefaultTransport(tb, func(base *http.Transport) http.RoundTripper { return base })
	old := maciekmm.GraphAPI
	maciekmm.GraphAPI = srv.URL
	tb.Cleanup(func() { maciekmm.GraphAPI = old })
	m := &maciekmm.Messenger{AccessToken: pageToken}
	return func() error {
		_, err := m.SendSimpleMessage(psid, sendText)
		return err
	}
}

// mileusnaSend: its Graph address is the package variable TestURL. It logs every
// message it sends with the log package; the log goes to io.Discard here but its
// formatting is still paid. It sends no messaging_type.
func mileusnaSend(tb testing.TB, srv *sendServer) func() error {
	withDefaultTransport(tb, func(base *http.Transport) http.RoundTripper { return base })
	old := mileusna.TestURL
	mileusna.TestURL = srv.URL + "/v2.6/"
	oldOut := log.Writer()
	log.SetOutput(io.Discard)
	tb.Cleanup(func() { mileusna.TestURL = old; log.SetOutput(oldOut) })
	m := mileusna.New(pageToken, pageID)
	return func() error {
		_, err := m.SendTextMessage(psidNum, sendText)
		return err
	}
}

// ekyoungSend: its Graph address is Client.URL. It sends no messaging_type.
func ekyoungSend(tb testing.TB, srv *sendServer) func() error {
	withDefaultTransport(tb, func(base *http.Transport) http.RoundTripper { return base })
	c := &ekyoung.Client{URL: srv.URL + "/v2.6"}
	return func() error {
		resp, err := c.Send(ekyoung.TextMessage(sendText).To(psid), pageToken)
		if err == nil && resp.Error != nil {
			return errors.New(resp.Error.Message)
		}
		return err
	}
}
