package messengertest_test

import (
	"bytes"
	"errors"
	"go/format"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The README's quick start and its "Test your bot without Meta" section are one bot in
// two files, main.go and bot_test.go, that a reader pastes into a directory of their
// own. testdata/readme holds those two files: these tests keep them equal to the
// README, gofmt-clean, and compiling and passing.

// readmeFiles maps each README section to the file its first Go block must equal.
var readmeFiles = []struct{ section, file string }{
	{"## Quick start", "testdata/readme/main.go"},
	{"## Test your bot without Meta", "testdata/readme/bot_test.go"},
}

func TestReadmeBlocksAreTheTestedFiles(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, rf := range readmeFiles {
		block, err := firstGoBlock(string(readme), rf.section)
		if err != nil {
			t.Errorf("README: %v", err)
			continue
		}
		file, err := os.ReadFile(rf.file)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(file), block); diff != "" {
			t.Errorf("README section %q differs from %s (-file +README):\n%s", rf.section, rf.file, diff)
		}
		formatted, err := format.Source(file)
		if err != nil {
			t.Errorf("%s: %v", rf.file, err)
		} else if !bytes.Equal(formatted, file) {
			t.Errorf("%s is not gofmt-clean:\n%s", rf.file, cmp.Diff(string(file), string(formatted)))
		}
	}
}

// firstGoBlock returns the body of the first ```go block after the heading.
func firstGoBlock(md, heading string) (string, error) {
	i := strings.Index(md, "\n"+heading+"\n")
	if i < 0 {
		return "", errors.New("no heading " + heading)
	}
	rest := md[i+len(heading)+2:]
	if next := strings.Index(rest, "\n## "); next >= 0 {
		rest = rest[:next]
	}
	open := strings.Index(rest, "```go\n")
	if open < 0 {
		return "", errors.New("no ```go block under " + heading)
	}
	body := rest[open+len("```go\n"):]
	end := strings.Index(body, "\n```")
	if end < 0 {
		return "", errors.New("unclosed ```go block under " + heading)
	}
	return body[:end+1], nil
}

// The two files build, vet clean and their test passes, as they would in the
// reader's own module.
func TestReadmeBotPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs another package")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, args := range [][]string{{"vet", "./testdata/readme"}, {"test", "-count=1", "./testdata/readme"}} {
		cmd := exec.CommandContext(t.Context(), goTool, args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
