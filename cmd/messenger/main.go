// Command messenger is the Messenger SDK's command line: a guided tour, the fake Graph
// server as a process, signed test webhooks, m.me links and policy answers.
//
//	messenger demo                      the whole tour on embedded defaults, no credentials
//	messenger fake --addr HOST:PORT     the fake Graph API for test suites in any language
//	messenger trigger --url URL ...     post one signed webhook event to a local endpoint
//	messenger link --page P --ref R     an m.me link with a ref, optionally as a QR code
//	messenger policy --type ...         may I send this message now, and what else would work
//	messenger broadcast --audience F    one message to everyone in a file, policy-aware, resumable
//
// Every verb answers --help. Errors go to stderr with a non-zero exit status: 2 for a
// mistake in the command line, 1 for a failure while running.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one verb of the command line.
type command struct {
	name    string
	summary string
	// run executes the verb; ctx is cancelled on SIGINT or SIGTERM.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the verbs. A new verb is one more entry here and a file of its own.
func commands() []command {
	return []command{
		{"demo", "run the guided tour on an in-process fake (no credentials needed)", runDemo},
		{"fake", "serve the fake Graph API and its control API for test suites", runFake},
		{"trigger", "post one correctly signed webhook event to a URL", runTrigger},
		{"link", "build an m.me link with a ref, optionally as a QR code", runLink},
		{"policy", "answer whether a message may be sent now, by which rule, and alternatives", runPolicy},
		{"broadcast", "send one message to an audience file: policy-aware, paced, resumable", runBroadcast},
	}
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errHelp reports that help was printed (exit status 0).
var errHelp = errors.New("help printed")

// run is the whole program, callable from tests.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	verb := args[0]
	if verb == "-h" || verb == "--help" || verb == "help" {
		printUsage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != verb {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		var ue *usageError
		var se *silentExit
		switch {
		case err == nil, errors.Is(err, errHelp):
			return 0
		case errors.As(err, &se):
			return se.code
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "messenger %s: %v\nRun 'messenger %s --help' for usage.\n", verb, err, verb)
			return 2
		default:
			fmt.Fprintf(stderr, "messenger %s: %v\n", verb, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "messenger: unknown command %q\n", verb)
	printUsage(stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: messenger <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'messenger <command> --help' for a command's flags.")
}

// wantsHelp reports whether args ask for help before any flag parsing.
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		switch strings.TrimLeft(a, "-") {
		case "h", "help":
			if strings.HasPrefix(a, "-") {
				return true
			}
		}
	}
	return false
}
