package broadcast

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
)

// Recipient is one person of a broadcast's audience.
type Recipient struct {
	// PSID is the person's page-scoped id. A broadcast sends to each PSID at most
	// once, however often it appears in the audience.
	PSID string
	// Fields are the other columns of the person's audience row (CSV columns or JSON
	// members), for a per-recipient Render. Nil when there are none.
	Fields map[string]string
}

// maxPSIDLen bounds a PSID read from an audience; real ones have 15–17 digits.
const maxPSIDLen = 64

// checkPSID rejects ids that cannot be a PSID, naming the limit and the value.
func checkPSID(id string) error {
	switch {
	case id == "":
		return errors.New("psid is empty")
	case len(id) > maxPSIDLen:
		return fmt.Errorf("psid must be at most %d bytes, got %d", maxPSIDLen, len(id))
	case strings.ContainsAny(id, " \t\r\n/?#&"):
		return fmt.Errorf("psid %q contains a space or URL delimiter", id)
	}
	return nil
}

// PSIDs is an audience of the given ids, for tests and small lists.
func PSIDs(ids ...string) iter.Seq2[Recipient, error] {
	return func(yield func(Recipient, error) bool) {
		for _, id := range ids {
			if !yield(Recipient{PSID: id}, nil) {
				return
			}
		}
	}
}

// RowError is an audience row that could not be read. The audience yields it and
// goes on with the next row; a broadcast counts the row as StateInvalid.
type RowError struct {
	Line int    // 1-based line (CSV record) number
	Err  error  // what is wrong
	Text string // the start of the row, for the audit
}

// Error names the line and what is wrong with it.
func (e *RowError) Error() string { return fmt.Sprintf("audience line %d: %v", e.Line, e.Err) }

// Unwrap returns what is wrong with the row.
func (e *RowError) Unwrap() error { return e.Err }

// ReadCSV reads an audience from CSV. The first record is a header when one of its
// columns is named "psid" (any case): that column holds the PSID and the other
// columns become Recipient.Fields under their header names. Without such a header
// every record's first column is the PSID and there are no fields.
//
// A malformed record yields a *RowError and reading goes on; an I/O error is
// yielded and ends the audience. The returned sequence reads r once: iterate it
// once, or use [CSVFile] to re-read a file for each pass.
func ReadCSV(r io.Reader) iter.Seq2[Recipient, error] {
	return func(yield func(Recipient, error) bool) {
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		cr.TrimLeadingSpace = true
		var header []string
		psidCol := 0
		for line := 1; ; line++ {
			rec, err := cr.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					if !yield(Recipient{}, &RowError{Line: line, Err: pe.Err}) {
						return
					}
					continue
				}
				yield(Recipient{}, fmt.Errorf("reading audience CSV: %w", err))
				return
			}
			if line == 1 {
				if col := headerColumn(rec); col >= 0 {
					header = append([]string(nil), rec...)
					psidCol = col
					continue
				}
			}
			if psidCol >= len(rec) {
				if !yield(Recipient{}, &RowError{Line: line, Err: fmt.Errorf("has %d columns, the psid is column %d", len(rec), psidCol+1), Text: preview(strings.Join(rec, ","))}) {
					return
				}
				continue
			}
			rcp := Recipient{PSID: strings.TrimSpace(rec[psidCol])}
			if err := checkPSID(rcp.PSID); err != nil {
				if !yield(Recipient{}, &RowError{Line: line, Err: err, Text: preview(strings.Join(rec, ","))}) {
					return
				}
				continue
			}
			if len(header) > 1 {
				rcp.Fields = make(map[string]string, len(header)-1)
				for i, name := range header {
					if i != psidCol && i < len(rec) {
						rcp.Fields[name] = rec[i]
					}
				}
			}
			if !yield(rcp, nil) {
				return
			}
		}
	}
}

func headerColumn(rec []string) int {
	for i, name := range rec {
		if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")), "psid") {
			return i
		}
	}
	return -1
}

// maxJSONLine bounds one line of a JSON-lines audience.
const maxJSONLine = 1 << 20

// ReadJSONLines reads an audience of one JSON object per line, such as
// {"psid":"1254459154682919","first_name":"Ada"}. "psid" (a string or a number)
// is required; the other members become Recipient.Fields, strings as they are and
// other values as their JSON text. Blank lines are skipped.
//
// A malformed line yields a *RowError and reading goes on; an I/O error is yielded
// and ends the audience. The sequence reads r once; see [JSONLinesFile].
func ReadJSONLines(r io.Reader) iter.Seq2[Recipient, error] {
	return func(yield func(Recipient, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), maxJSONLine)
		for line := 1; sc.Scan(); line++ {
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			rcp, err := decodeJSONRecipient(b)
			if err != nil {
				if !yield(Recipient{}, &RowError{Line: line, Err: err, Text: preview(string(b))}) {
					return
				}
				continue
			}
			if !yield(rcp, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(Recipient{}, fmt.Errorf("reading audience JSON lines: %w", err))
		}
	}
}

func decodeJSONRecipient(b []byte) (Recipient, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return Recipient{}, fmt.Errorf("not a JSON object: %v", err)
	}
	raw, ok := obj["psid"]
	if !ok {
		return Recipient{}, errors.New(`missing "psid"`)
	}
	var rcp Recipient
	var s string
	var n json.Number
	switch {
	case json.Unmarshal(raw, &s) == nil:
		rcp.PSID = strings.TrimSpace(s)
	case json.Unmarshal(raw, &n) == nil:
		rcp.PSID = n.String()
	default:
		return Recipient{}, fmt.Errorf(`"psid" must be a string or a number, got %s`, preview(string(raw)))
	}
	if err := checkPSID(rcp.PSID); err != nil {
		return Recipient{}, err
	}
	if len(obj) > 1 {
		rcp.Fields = make(map[string]string, len(obj)-1)
		for k, v := range obj {
			if k == "psid" {
				continue
			}
			if json.Unmarshal(v, &s) == nil {
				rcp.Fields[k] = s
			} else {
				rcp.Fields[k] = string(v)
			}
		}
	}
	return rcp, nil
}

// CSVFile is an audience read from the CSV file at path (see [ReadCSV]), opened
// afresh on every iteration, so the same value serves Plan and then Send.
func CSVFile(path string) iter.Seq2[Recipient, error] { return fileAudience(path, ReadCSV) }

// JSONLinesFile is an audience read from the JSON-lines file at path (see
// [ReadJSONLines]), opened afresh on every iteration.
func JSONLinesFile(path string) iter.Seq2[Recipient, error] {
	return fileAudience(path, ReadJSONLines)
}

func fileAudience(path string, read func(io.Reader) iter.Seq2[Recipient, error]) iter.Seq2[Recipient, error] {
	return func(yield func(Recipient, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(Recipient{}, fmt.Errorf("opening audience: %w", err))
			return
		}
		defer f.Close()
		for r, err := range read(bufio.NewReaderSize(f, 64<<10)) {
			if !yield(r, err) {
				return
			}
		}
	}
}

// preview shortens s for error messages and audit lines.
func preview(s string) string {
	const keep = 80
	if len(s) <= keep {
		return s
	}
	return s[:keep] + "…"
}
