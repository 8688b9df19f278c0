package main

import (
	"encoding/csv"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomessenger/messenger/broadcast"
)

// placeholders lists the {column} names of a --text, in order, without repeats.
func placeholders(text string) []string {
	var names []string
	for rest := text; ; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return names
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return names
		}
		if name := rest[open+1 : open+end]; !slices.Contains(names, name) {
			names = append(names, name)
		}
		rest = rest[open+end+1:]
	}
}

// checkAudience reads the audience once before anything is sent and refuses what
// would fail every recipient or reach the wrong people: a CSV header without a
// "psid" column, a {column} of --text that a row lacks, a PSID that is not digits.
// Rows the broadcast package itself reports as bad (malformed lines, duplicates) are
// left to it. It returns the number of recipients.
func checkAudience(path string, aud iter.Seq2[broadcast.Recipient, error], names []string) (int, error) {
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		header, err := csvHeader(path)
		if err != nil {
			return 0, err
		}
		hasPSID := slices.ContainsFunc(header, func(c string) bool { return strings.EqualFold(c, "psid") })
		switch {
		case len(header) > 0 && !hasPSID && !isDigits(header[0]):
			return 0, usagef("--audience: %s has no \"psid\" column; its first line is: %s", path, strings.Join(header, ","))
		case !hasPSID: // no header: the first column of every line is the PSID
			header = []string{"psid"}
		}
		for _, name := range names {
			if !slices.Contains(header, name) && name != "psid" {
				return 0, usagef("--text: {%s} is not a column of %s; its columns are: %s", name, path, strings.Join(header, ", "))
			}
		}
	}
	n := 0
	for r, err := range aud {
		n++
		if err != nil {
			continue // a bad row: the broadcast reports it in its summary
		}
		if !isDigits(r.PSID) {
			return 0, usagef("--audience: recipient %d: psid %q is not a PSID (digits only)", n, r.PSID)
		}
		for _, name := range names {
			if _, ok := r.Fields[name]; !ok && name != "psid" {
				return 0, usagef("--text: {%s}: recipient %d (psid %s) has no %q column", name, n, r.PSID, name)
			}
		}
	}
	return n, nil
}

// csvHeader is the first record of a CSV file, each name trimmed.
func csvHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--audience: %v", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	rec, err := cr.Read()
	if err != nil {
		return nil, nil // empty or malformed: the broadcast reports it
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(strings.TrimPrefix(rec[i], "\ufeff"))
	}
	return rec, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
