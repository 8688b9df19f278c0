package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomessenger/messenger/referral"
)

func runLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("link", "--page P --ref R [--qr out.png|out.svg]",
		`Builds the m.me link that opens a conversation with the Page and hands ref to the
bot (in the Get Started postback of a new conversation, as a referral event in an
existing one), and optionally writes its QR code.`)
	page := fs.String("page", "", "Page `username` or numeric id (required)")
	ref := fs.String("ref", "", "`ref` delivered with the referral: letters, digits, '-', '_' and '='")
	qr := fs.String("qr", "", "also write the link's QR code to this `file` (.png or .svg)")
	size := fs.Int("size", 512, "QR code size in `pixels`")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *page == "" {
		return usagef("--page is required")
	}
	link, err := referral.Link(*page, *ref)
	if err != nil {
		return usagef("%v", err)
	}
	fmt.Fprintln(stdout, link)
	if *qr == "" {
		return nil
	}
	var img []byte
	switch strings.ToLower(filepath.Ext(*qr)) {
	case ".png":
		img, err = referral.QRPNG(link, *size)
	case ".svg":
		img, err = referral.QRSVG(link, *size)
	default:
		return usagef("--qr: the file must end in .png or .svg, got %q", *qr)
	}
	if err != nil {
		return usagef("--qr: %v", err)
	}
	if err := os.WriteFile(*qr, img, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d bytes)\n", *qr, len(img))
	return nil
}
