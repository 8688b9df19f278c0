package main

import (
	"context"
	"errors"
	"io"
)

func runLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("link", "--page P --ref R [--qr out.png|out.svg]",
		"Builds an m.me link that carries ref to the Page's webhook, and optionally its QR code.")
	fs.String("page", "", "Page `username` or id")
	fs.String("ref", "", "`ref` delivered with the referral")
	fs.String("qr", "", "write a QR code to this `file` (.png or .svg)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	return errors.New("not available in this build: the referral package (links and QR codes) has not landed yet")
}
