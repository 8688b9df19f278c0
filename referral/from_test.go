package referral

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
)

// corpus is the module's collection of real webhook bodies, one kind per file.
const corpus = "../testdata/webhooks"

func TestFromEveryReferralInTheWebhookCorpus(t *testing.T) {
	t.Parallel()
	at := time.UnixMilli(1458692752478)
	const page, psid = "1234567890", "6783274623"
	want := map[string][]Referral{
		"referral_shortlink.json": {{
			Page: page, User: psid, Time: at, Source: ShortLink, Ref: "order_42", Type: "OPEN_THREAD", Via: ViaReferral,
		}},
		"postback_referral.json": {{
			Page: page, User: psid, Time: at, Source: ShortLink, Ref: "spring-promo", Type: "OPEN_THREAD",
			Via: ViaPostback, NewConversation: true,
		}},
		"referral_ads.json": {{
			Page: page, User: psid, Time: at, Source: Ads, Ref: "ad_ref", Type: "OPEN_THREAD", AdID: "6045246247433",
			AdsContext: &messenger.AdsContext{AdTitle: "Winter boots", PhotoURL: "https://scontent.example/p.jpg",
				VideoURL: "https://scontent.example/v.mp4", PostID: "1234567890_111", ProductID: "222", FlowID: "333"},
			Via: ViaReferral,
		}},
		"message_ad_referral.json": {{
			Page: page, User: psid, Time: at, Source: Ads, Ref: "summer", Type: "OPEN_THREAD", AdID: "23850000000000000",
			AdsContext: &messenger.AdsContext{AdTitle: "Summer sale", PhotoURL: "https://scontent.example/ad.jpg",
				PostID: "1234567890_987", ProductID: "555"},
			Via: ViaMessage, NewConversation: true,
		}},
		"referral_chat_plugin.json": {{
			Page: page, UserRef: "ref-9f1c2e", Time: at, Source: ChatPlugin, Ref: "pricing", Type: "OPEN_THREAD",
			RefererURI: "https://shop.example/pricing", IsGuestUser: true, Via: ViaReferral,
		}},
		"referral_messenger_code.json": {
			{Page: page, User: psid, Time: at, Source: MessengerCode, Ref: "table-7", Type: "OPEN_THREAD", Via: ViaReferral},
			{Page: page, User: "6783274624", Time: at.Add(time.Millisecond), Source: DiscoverTab, Type: "OPEN_THREAD", Via: ViaReferral},
		},
	}
	files, err := filepath.Glob(filepath.Join(corpus, "*.json"))
	if err != nil || len(files) < len(want) {
		t.Fatalf("corpus: %v, %d files", err, len(files))
	}
	seen := 0
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		events, err := messenger.ParseEvents(body)
		if err != nil {
			if strings.Contains(f, "malformed") {
				continue
			}
			t.Fatalf("%s: %v", f, err)
		}
		var got []Referral
		for _, ev := range events {
			if r, ok := From(ev); ok {
				got = append(got, r)
			}
		}
		name := filepath.Base(f)
		if _, ok := want[name]; ok {
			seen++
		}
		if diff := cmp.Diff(want[name], got); diff != "" {
			t.Errorf("%s: From (-want +got):\n%s", name, diff)
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d referral files in the corpus", seen, len(want))
	}
}

func TestFromCopiesAdsContext(t *testing.T) {
	t.Parallel()
	ev := &messenger.ReferralEvent{Referral: messenger.Referral{Source: "ADS", AdsContext: &messenger.AdsContext{AdTitle: "a"}}}
	r, _ := From(ev)
	r.AdsContext.AdTitle = "changed"
	if ev.Referral.AdsContext.AdTitle != "a" {
		t.Error("From shares AdsContext with the event")
	}
}

func TestFromOtherEvents(t *testing.T) {
	t.Parallel()
	for _, ev := range []messenger.Event{
		&messenger.PostbackEvent{Payload: "MENU"},
		&messenger.MessageEvent{Message: messenger.ReceivedMessage{Text: "hi"}},
		&messenger.EchoEvent{},
		(*messenger.ReferralEvent)(nil),
		(*messenger.PostbackEvent)(nil),
	} {
		if r, ok := From(ev); ok {
			t.Errorf("From(%T) = %+v, true", ev, r)
		}
	}
}
