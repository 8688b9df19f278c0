package referral

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, page, ref string
		want            string
		wantErr         *Error // compared on Field, Index and Char
	}{
		{name: "plain", page: "acmeshoes", ref: "", want: "https://m.me/acmeshoes"},
		{name: "with ref", page: "acmeshoes", ref: "spring_sale-2026=A", want: "https://m.me/acmeshoes?ref=spring_sale-2026=A"},
		{name: "page id", page: "102938475610293", ref: "x", want: "https://m.me/102938475610293?ref=x"},
		{name: "dotted username", page: "acme.shoes", ref: "x", want: "https://m.me/acme.shoes?ref=x"},
		{name: "longest ref", page: "p", ref: strings.Repeat("a", MaxRefLen), want: "https://m.me/p?ref=" + strings.Repeat("a", MaxRefLen)},
		{name: "ref too long", page: "p", ref: strings.Repeat("a", MaxRefLen+1), wantErr: &Error{Field: "ref", Index: -1}},
		{name: "space", page: "p", ref: "spring sale", wantErr: &Error{Field: "ref", Index: 6, Char: ' '}},
		{name: "ampersand", page: "p", ref: "a&b=c", wantErr: &Error{Field: "ref", Index: 1, Char: '&'}},
		{name: "dot", page: "p", ref: "v1.2", wantErr: &Error{Field: "ref", Index: 2, Char: '.'}},
		{name: "plus", page: "p", ref: "a+b", wantErr: &Error{Field: "ref", Index: 1, Char: '+'}},
		{name: "non-ASCII", page: "p", ref: "café", wantErr: &Error{Field: "ref", Index: 3, Char: 'é'}},
		{name: "bad char beats length", page: "p", ref: strings.Repeat("a", MaxRefLen) + "?", wantErr: &Error{Field: "ref", Index: MaxRefLen, Char: '?'}},
		{name: "empty page", page: "", ref: "x", wantErr: &Error{Field: "page", Index: -1}},
		{name: "page with slash", page: "acme/shoes", ref: "x", wantErr: &Error{Field: "page", Index: 4, Char: '/'}},
		{name: "page with query", page: "acme?x=1", ref: "", wantErr: &Error{Field: "page", Index: 4, Char: '?'}},
		{name: "page too long", page: strings.Repeat("p", MaxPageNameLen+1), wantErr: &Error{Field: "page", Index: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Link(tt.page, tt.ref)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Link(%q, %q) error: %v", tt.page, tt.ref, err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Link(%q, %q) (-want +got):\n%s", tt.page, tt.ref, diff)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Link(%q, %q) = %q, %v; want *Error", tt.page, tt.ref, got, err)
			}
			gotErr := &Error{Field: e.Field, Index: e.Index, Char: e.Char}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("Link(%q, %q) error (-want +got):\n%s\nerror: %v", tt.page, tt.ref, diff, err)
			}
			if e.Limit == "" || e.Reason == "" || !strings.Contains(err.Error(), e.Field) {
				t.Errorf("error %q does not name field, limit and reason", err)
			}
		})
	}
}

func TestValidateRefErrorNamesCharacterAndIndex(t *testing.T) {
	t.Parallel()
	err := ValidateRef("promo#7")
	want := `referral: invalid ref: character '#' at index 5 is not allowed (allowed: letters A-Z a-z, digits 0-9, '-', '_' and '='; value "promo#7")`
	if err == nil || err.Error() != want {
		t.Errorf("ValidateRef error\n got %v\nwant %s", err, want)
	}
}

func TestErrorClipsLongValues(t *testing.T) {
	t.Parallel()
	err := ValidateRef(strings.Repeat("é", 100))
	if n := len(err.Error()); n > 300 {
		t.Errorf("error is %d bytes long; want the value clipped: %s", n, err)
	}
}
