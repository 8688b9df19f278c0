package referral_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/referral"
)

func ExampleLink() {
	link, _ := referral.Link("acmeshoes", "spring_sale")
	fmt.Println(link)

	_, err := referral.Link("acmeshoes", "spring sale")
	fmt.Println(err)
	fmt.Println(errors.Is(err, messenger.ErrInvalidRequest))
	// Output:
	// https://m.me/acmeshoes?ref=spring_sale
	// referral: invalid ref: character ' ' at index 6 is not allowed (allowed: letters A-Z a-z, digits 0-9, '-', '_' and '='; value "spring sale")
	// true
}

func ExampleEncodeRef() {
	ref, _ := referral.EncodeRef(referral.Ref{Campaign: "spring_sale", Source: "flyer", Medium: "qr", Content: "Store #12"})
	fmt.Println(ref)
	link, _ := referral.Link("acmeshoes", ref)
	fmt.Println(link)

	back, _ := referral.DecodeRef(ref)
	fmt.Printf("%+v\n", back)
	// Output:
	// spring_sale=sflyer=mqr=nStore=20=2312
	// https://m.me/acmeshoes?ref=spring_sale=sflyer=mqr=nStore=20=2312
	// {Campaign:spring_sale Source:flyer Medium:qr Content:Store #12 Term: Extra:map[]}
}

func ExampleQRSVG() {
	link, _ := referral.Link("acmeshoes", "table-7")
	svg, _ := referral.QRSVG(link, 256)
	head, _, _ := strings.Cut(string(svg), " shape-rendering")
	fmt.Println(head) // a version 3 code: 29 modules and a 4-module border on each side
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 37 37"
}

func ExampleFrom() {
	body := []byte(`{"object":"page","entry":[{"id":"1234567890","time":1458692752478,"messaging":[
	 {"sender":{"id":"6783274623"},"recipient":{"id":"1234567890"},"timestamp":1458692752478,
	  "postback":{"title":"Get Started","payload":"GET_STARTED",
	   "referral":{"ref":"spring_sale=sflyer","source":"SHORTLINK","type":"OPEN_THREAD"}}}]}]}`)
	events, _ := messenger.ParseEvents(body)
	r, ok := referral.From(events[0])
	fmt.Println(ok, r.Source, r.Ref, r.Via, r.NewConversation)
	ref, _ := referral.DecodeRef(r.Ref)
	fmt.Println(ref.Campaign, ref.Source)
	// Output:
	// true SHORTLINK spring_sale=sflyer postback true
	// spring_sale flyer
}

func ExampleAttribution() {
	a := referral.NewAttribution(0)
	events, _ := messenger.ParseEvents([]byte(`{"object":"page","entry":[{"id":"1234567890","time":1458692752478,"messaging":[
	 {"sender":{"id":"1"},"recipient":{"id":"1234567890"},"timestamp":1458692752478,
	  "postback":{"title":"Get Started","payload":"GET_STARTED","referral":{"ref":"flyer","source":"SHORTLINK","type":"OPEN_THREAD"}}},
	 {"sender":{"id":"1"},"recipient":{"id":"1234567890"},"timestamp":1458692812478,"message":{"mid":"m_1","text":"Do you deliver?"}},
	 {"sender":{"id":"2"},"recipient":{"id":"1234567890"},"timestamp":1458692752478,
	  "referral":{"ref":"flyer","source":"SHORTLINK","type":"OPEN_THREAD"}},
	 {"sender":{"id":"3"},"recipient":{"id":"1234567890"},"timestamp":1458692752478,
	  "referral":{"ref":"poster","source":"SHORTLINK","type":"OPEN_THREAD"}}]}]}`))
	for _, ev := range events {
		a.Observe(ev)
	}
	for _, c := range a.Snapshot() {
		fmt.Printf("%s %s: new %d, returning %d, first replies %d\n", c.Ref, c.Source, c.New, c.Returning, c.FirstReplies)
	}
	// Output:
	// flyer SHORTLINK: new 1, returning 1, first replies 1
	// poster SHORTLINK: new 0, returning 1, first replies 0
}
