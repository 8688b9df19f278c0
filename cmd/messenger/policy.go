package main

import (
	"context"
	"errors"
	"io"
)

func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("policy", "--type TYPE [--tag TAG] [--last-user-message TIME] [--now TIME]",
		"Answers whether a message may be sent now, by which rule, until when, and what else would work.")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	return errors.New("not available in this build: the policy package has not landed yet")
}
