package messenger

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// platformDoc is the one file of platform facts that comments cite by heading.
const platformDoc = "docs/platform.md"

var (
	// citationRE matches "docs/platform.md" and the quoted headings that follow it,
	// separated by commas, "and" or "to", across comment line breaks.
	citationRE = regexp.MustCompile(`docs/platform\.md((?:(?:\s|//)*[,;]?(?:\s|//)*(?:and\s+|to\s+)?“[^”]+”)*)`)
	headingRE  = regexp.MustCompile(`“([^”]+)”`)
	commentGap = regexp.MustCompile(`\s*(?://)?\s+|\s+`)
	// docsLinkRE matches the link to Meta's page for an endpoint or webhook field.
	docsLinkRE = regexp.MustCompile(`Graph API docs:\s+(?://\s*)?(\S+)`)
	// sourceKeyRE matches a source key such as S-SendRef inside a confidence mark.
	sourceKeyRE = regexp.MustCompile(`\bS-[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*`)
)

// TestCitationsResolve keeps every citation of platform facts followable: no Go or
// Markdown file cites the numbered sections of a document outside the module, every
// docs/platform.md heading cited exists, every source key cited is listed under its
// “Sources” heading, and every "Graph API docs:" link points at Meta's developer site.
func TestCitationsResolve(t *testing.T) {
	t.Parallel()
	headings, sources := platformHeadings(t)

	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".md" {
			return nil
		}
		path = filepath.ToSlash(path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		line := func(off int) int { return 1 + strings.Count(text[:off], "\n") }
		for _, loc := range regexp.MustCompile(`reference\s+(?://\s*)?§`).FindAllStringIndex(text, -1) {
			t.Errorf("%s:%d cites a numbered section of a document outside the module; cite %s by heading", path, line(loc[0]), platformDoc)
		}
		for _, m := range citationRE.FindAllStringSubmatchIndex(text, -1) {
			for _, h := range headingRE.FindAllStringSubmatch(text[m[2]:m[3]], -1) {
				name := strings.TrimSpace(commentGap.ReplaceAllString(h[1], " "))
				if !headings[name] {
					t.Errorf("%s:%d cites %s, “%s”: no such heading", path, line(m[0]), platformDoc, name)
				}
			}
		}
		for _, m := range docsLinkRE.FindAllStringSubmatchIndex(text, -1) {
			if url := text[m[2]:m[3]]; !strings.HasPrefix(url, "https://developers.facebook.com/") {
				t.Errorf("%s:%d links %s as Graph API docs; Meta's pages are under https://developers.facebook.com/", path, line(m[0]), url)
			}
		}
		if filepath.Ext(path) == ".go" {
			for _, loc := range sourceKeyRE.FindAllStringIndex(text, -1) {
				if key := text[loc[0]:loc[1]]; !sources[key] {
					t.Errorf("%s:%d cites source %s, not listed under %s, “Sources”", path, line(loc[0]), key, platformDoc)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// platformHeadings reads the headings of docs/platform.md and the source keys of its
// “Sources” table.
func platformHeadings(t *testing.T) (headings, sources map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(platformDoc)
	if err != nil {
		t.Fatal(err)
	}
	headings, sources = map[string]bool{}, map[string]bool{}
	inSources := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "#") {
			h := strings.TrimSpace(strings.TrimLeft(l, "#"))
			headings[h] = true
			inSources = h == "Sources"
			continue
		}
		if inSources && strings.HasPrefix(l, "| S-") {
			keys, _, _ := strings.Cut(strings.TrimPrefix(l, "| "), " |")
			for _, k := range strings.Split(keys, ",") {
				sources[strings.TrimSpace(k)] = true
			}
		}
	}
	if !headings["Sources"] || len(sources) == 0 {
		t.Fatalf("%s has no “Sources” table", platformDoc)
	}
	return headings, sources
}
