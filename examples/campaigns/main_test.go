package main

import (
	"bytes"
	"image/png"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomessenger/messenger/messengertest"
	"github.com/gomessenger/messenger/referral"
	"github.com/google/go-cmp/cmp"
	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

func TestRunDemo(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	env := func(k string) string {
		if k == "OUT_DIR" {
			return dir
		}
		return ""
	}
	if err := run(t.Context(), env, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	// The QR codes stay where the transcript says, for the reader to open.
	for _, name := range []string{"flyer-qr.png", "shop_window-qr.png", "instagram-story.png"} {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil || !strings.Contains(out.String(), "(QR code: "+path+")") {
			t.Errorf("QR code %s: %v; want it kept and named in the output:\n%s", name, err, &out)
		}
	}
	for _, want := range []string{
		"ref is <campaign>=s<source>=m<medium>",
		"The QR codes are PNG files in " + dir,
		"https://m.me/acmekettles?ref=summer_sale=sflyer=mqr",
		"Page → Ada: Welcome to Acme Kettles! Summer sale",
		"Page → Bob: Welcome back! Summer sale",
		"Page → Dan: Welcome back! I see you're on https://shop.example.com/kettles.",
		"campaign     placement        source                new  returning  first replies",
		"summer_sale  flyer/qr         SHORTLINK             1    0          1",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}

func TestDemo(t *testing.T) {
	srv := messengertest.NewServer(t)
	dir := t.TempDir()
	var out bytes.Buffer
	if err := demo(t.Context(), srv, dir, log.New(&out, "", 0)); err != nil {
		t.Fatal(err)
	}
	type send struct{ To, Type, Text string }
	var got []send
	for _, r := range srv.Sent() {
		text, _, _ := strings.Cut(r.Message.Text, "!")
		got = append(got, send{r.RecipientID, r.MessagingType, text})
	}
	want := []send{
		{bobPSID, "RESPONSE", "Thanks"}, // the earlier conversations
		{danPSID, "RESPONSE", "Thanks"},
		{adaPSID, "RESPONSE", "Welcome to Acme Kettles"},
		{adaPSID, "RESPONSE", "Thanks"},
		{bobPSID, "RESPONSE", "Welcome back"},
		{cleoPSID, "RESPONSE", "Welcome to Acme Kettles"},
		{cleoPSID, "RESPONSE", "Thanks"},
		{danPSID, "RESPONSE", "Welcome back"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sends (-want +got):\n%s", diff)
	}
	if !strings.Contains(out.String(), "(none)       -                CUSTOMER_CHAT_PLUGIN  0    1          0") {
		t.Errorf("counts lack the chat plugin:\n%s", &out)
	}

	// Each QR code reads back, with an independent decoder, as its placement's link.
	for _, p := range placements {
		ref, err := referral.EncodeRef(p)
		if err != nil {
			t.Fatal(err)
		}
		link, _ := referral.Link(demoPage, ref)
		if got := decodeQR(t, filepath.Join(dir, p.Source+"-"+p.Medium+".png")); got != link {
			t.Errorf("QR code of %s/%s reads %q, want %q", p.Source, p.Medium, got, link)
		}
	}
}

func decodeQR(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode %s: %v", file, err)
	}
	return res.GetText()
}

func TestLoadConfig(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	all := map[string]string{"PAGE_ACCESS_TOKEN": "t", "APP_SECRET": "s", "VERIFY_TOKEN": "v", "PAGE_NAME": "acme.kettles"}
	if _, live, err := loadConfig(env(all)); err != nil || !live {
		t.Errorf("all set: live %v err %v", live, err)
	}
	all["PAGE_NAME"] = "acme kettles"
	if _, _, err := loadConfig(env(all)); err == nil {
		t.Error("a Page name with a space is accepted")
	}
}
