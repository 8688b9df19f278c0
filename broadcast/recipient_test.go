package broadcast_test

import (
	"errors"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/gomessenger/messenger/broadcast"
)

// row is one item an audience yielded: a recipient or an error's text.
type row struct {
	R   broadcast.Recipient
	Err string
}

func collect(seq iter.Seq2[broadcast.Recipient, error]) []row {
	var out []row
	for r, err := range seq {
		if err != nil {
			out = append(out, row{Err: err.Error()})
			continue
		}
		out = append(out, row{R: r})
	}
	return out
}

func TestReadCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []row
	}{
		{"header with fields", "first_name,PSID\nAda,111\nGrace,222\n", []row{
			{R: broadcast.Recipient{PSID: "111", Fields: map[string]string{"first_name": "Ada"}}},
			{R: broadcast.Recipient{PSID: "222", Fields: map[string]string{"first_name": "Grace"}}},
		}},
		{"byte order mark before the header", "\ufeffpsid\n111\n", []row{{R: broadcast.Recipient{PSID: "111"}}}},
		{"no header: the first column", "111,Ada\n 222 ,Grace\n", []row{
			{R: broadcast.Recipient{PSID: "111"}}, {R: broadcast.Recipient{PSID: "222"}},
		}},
		{"bad rows are reported and skipped", "psid,name\n111,Ada\n,Nobody\n\"unclosed,x\n", []row{
			{R: broadcast.Recipient{PSID: "111", Fields: map[string]string{"name": "Ada"}}},
			{Err: "audience line 3: psid is empty"},
			{Err: `audience line 4: extraneous or missing " in quoted-field`},
		}},
		{"short row", "name,psid\nAda\n222\n", []row{
			{Err: "audience line 2: has 1 columns, the psid is column 2"},
			{Err: "audience line 3: has 1 columns, the psid is column 2"},
		}},
		{"psid with a space", "1 1\n", []row{{Err: `audience line 1: psid "1 1" contains a space or URL delimiter`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, collect(broadcast.ReadCSV(strings.NewReader(tt.in)))); diff != "" {
				t.Fatalf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadJSONLines(t *testing.T) {
	t.Parallel()
	in := `{"psid":"111","first_name":"Ada","vip":true}

{"psid":2220000000000000001}
{"name":"no psid"}
not json
{"psid":[1]}
`
	want := []row{
		{R: broadcast.Recipient{PSID: "111", Fields: map[string]string{"first_name": "Ada", "vip": "true"}}},
		{R: broadcast.Recipient{PSID: "2220000000000000001"}},
		{Err: `audience line 4: missing "psid"`},
		{Err: "audience line 5: not a JSON object: invalid character 'o' in literal null (expecting 'u')"},
		{Err: `audience line 6: "psid" must be a string or a number, got [1]`},
	}
	if diff := cmp.Diff(want, collect(broadcast.ReadJSONLines(strings.NewReader(in)))); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
}

func TestRowErrorsAreRowErrors(t *testing.T) {
	t.Parallel()
	for _, err := range broadcast.ReadCSV(strings.NewReader("\n,\n")) {
		var re *broadcast.RowError
		require.True(t, errors.As(err, &re), "%v", err)
	}
}

func TestFileAudiencesRereadTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "a.csv")
	jsonPath := filepath.Join(dir, "a.jsonl")
	require.NoError(t, os.WriteFile(csvPath, []byte("psid\n1\n2\n"), 0o600))
	require.NoError(t, os.WriteFile(jsonPath, []byte(`{"psid":"1"}`+"\n"+`{"psid":"2"}`+"\n"), 0o600))
	for _, seq := range []iter.Seq2[broadcast.Recipient, error]{broadcast.CSVFile(csvPath), broadcast.JSONLinesFile(jsonPath)} {
		first, second := collect(seq), collect(seq)
		require.Len(t, first, 2)
		require.Equal(t, first, second)
	}
	got := collect(broadcast.CSVFile(filepath.Join(dir, "missing.csv")))
	require.Len(t, got, 1)
	require.Contains(t, got[0].Err, "opening audience")
}

func TestPSIDsStopsWhenAsked(t *testing.T) {
	t.Parallel()
	n := 0
	for range broadcast.PSIDs("1", "2", "3") {
		n++
		if n == 2 {
			break
		}
	}
	require.Equal(t, 2, n)
}
