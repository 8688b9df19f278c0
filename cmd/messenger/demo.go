package main

import (
	"context"
	"errors"
	"io"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "", "Runs the guided tour on an in-process fake Graph server: no credentials, no network.")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	return errors.New("not available in this build yet")
}
