package main

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/referral"
)

// offers are the campaigns the bot knows, by Ref.Campaign: what a person who
// came through one of its links is told.
var offers = map[string]string{
	"summer_sale": "Summer sale: 20% off every kettle with the code SUMMER20.",
}

// placements are where the summer sale's links are put: one link, and one QR
// code, per place, so the counts tell the places apart.
var placements = []referral.Ref{
	{Campaign: "summer_sale", Source: "flyer", Medium: "qr"},
	{Campaign: "summer_sale", Source: "shop_window", Medium: "qr"},
	{Campaign: "summer_sale", Source: "instagram", Medium: "story"},
}

const getStarted = "GET_STARTED"

// defaultOutDir is where the QR codes go without $OUT_DIR: a directory in the
// current one, kept after the program ends.
const defaultOutDir = "campaign-qr"

// writeLinks builds the m.me link of each placement for page (a Page username
// or id), writes its QR code to dir as <source>-<medium>.png and prints both.
func writeLinks(page, dir string, logger *log.Logger) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	logger.Print("Each link's ref is <campaign>=s<source>=m<medium> (referral.EncodeRef); the bot reads it back with referral.DecodeRef.")
	for _, p := range placements {
		// EncodeRef packs the placement into the few characters an m.me ref may
		// carry; the bot decodes it when the person arrives.
		ref, err := referral.EncodeRef(p)
		if err != nil {
			return err
		}
		link, err := referral.Link(page, ref)
		if err != nil {
			return err
		}
		png, err := referral.QRPNG(link, 512) // 512 px: sharp on an A5 flyer
		if err != nil {
			return err
		}
		file := filepath.Join(dir, p.Source+"-"+p.Medium+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			return err
		}
		logger.Printf("%-22s %s  (QR code: %s)", p.Source+"/"+p.Medium, link, file)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	logger.Printf("The QR codes are PNG files in %s: open one and scan it with a phone.", abs)
	return nil
}

// greeter welcomes people by the link, ad or plugin they came through, and
// counts which of them bring conversations.
type greeter struct {
	client *messenger.Client
	counts *referral.Attribution
}

func (g *greeter) register(wh *messenger.Webhook) {
	wh.OnEvent(func(ctx context.Context, ev messenger.Event) error {
		// Every event: Attribution picks out the referrals, and the people's
		// first messages after them.
		g.counts.Observe(ev)
		if ev.Info().Standby {
			return nil // another app owns the conversation
		}
		if r, ok := referral.From(ev); ok {
			return g.welcome(ctx, r)
		}
		switch e := ev.(type) {
		case *messenger.PostbackEvent:
			if e.Payload == getStarted { // Get Started without a link
				return g.say(ctx, e.Sender, "Welcome to Acme Kettles! Ask me anything.")
			}
		case *messenger.MessageEvent:
			return g.say(ctx, e.Sender, "Thanks! One of us will answer shortly. Anything else, just ask.")
		}
		return nil
	})
}

// welcome greets a person who arrived through r.
func (g *greeter) welcome(ctx context.Context, r referral.Referral) error {
	hello := "Welcome back!"
	if r.NewConversation {
		hello = "Welcome to Acme Kettles!"
	}
	// Refs come from links anyone can edit: a ref that does not decode is a
	// person all the same, greeted without an offer.
	ref, err := referral.DecodeRef(r.Ref)
	offer, known := offers[ref.Campaign]
	switch {
	case r.Source == referral.Ads && r.AdsContext != nil:
		hello += " Thanks for tapping our ad “" + r.AdsContext.AdTitle + "”."
	case r.Source == referral.ChatPlugin:
		hello += " I see you're on " + r.RefererURI + "."
	}
	if err == nil && known {
		hello += " " + offer
	}
	return g.say(ctx, messenger.Party{ID: r.User, UserRef: r.UserRef}, hello)
}

// say answers p: by PSID, or by user_ref for a chat-plugin visitor without one.
func (g *greeter) say(ctx context.Context, p messenger.Party, text string) error {
	to := messenger.PSID(p.ID)
	if p.ID == "" {
		to = messenger.UserRef(p.UserRef)
	}
	// Get Started, referrals and messages all open the 24-hour window.
	_, err := g.client.Send(ctx, messenger.SendRequest{To: to, Type: messenger.Response, Message: messenger.Text(text)})
	return err
}

// logCounts logs the attribution table: per link and source, the
// conversations it opened, the people it brought back, and how many of them
// wrote a message afterwards.
func logCounts(logger *log.Logger, counts []referral.Count) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "campaign\tplacement\tsource\tnew\treturning\tfirst replies")
	for _, c := range counts {
		campaign, placement := c.Ref, ""
		if r, err := referral.DecodeRef(c.Ref); err == nil {
			campaign, placement = r.Campaign, strings.Trim(r.Source+"/"+r.Medium, "/")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", cmp.Or(campaign, "(none)"), cmp.Or(placement, "-"), c.Source, c.New, c.Returning, c.FirstReplies)
	}
	tw.Flush()
	logger.Print(strings.TrimRight(b.String(), "\n"))
}
