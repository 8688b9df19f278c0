package referral

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestEncodeRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ref  Ref
		want string
	}{
		{"empty", Ref{}, ""},
		{"campaign only", Ref{Campaign: "spring_sale"}, "spring_sale"},
		{"utm style", Ref{Campaign: "spring_sale", Source: "instagram", Medium: "story"}, "spring_sale=sinstagram=mstory"},
		{"all fields", Ref{Campaign: "c", Source: "s", Medium: "m", Content: "n", Term: "t"}, "c=ss=mm=nn=tt"},
		{"no campaign", Ref{Source: "flyer"}, "=sflyer"},
		{"escapes", Ref{Campaign: "50% off!", Source: "a=b", Medium: "x.y"}, "50=25=20off=21=sa=3Db=mx=2Ey"},
		{"utf-8", Ref{Campaign: "café"}, "caf=C3=A9"},
		{"extra sorted", Ref{Campaign: "c", Extra: map[string]string{"store": "42", "aff": "bob"}}, "c=xaff=-bob=xstore=-42"},
		{"extra empty value", Ref{Extra: map[string]string{"k": ""}}, "=xk=-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := EncodeRef(tt.ref)
			if err != nil {
				t.Fatalf("EncodeRef(%+v): %v", tt.ref, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("EncodeRef(%+v) (-want +got):\n%s", tt.ref, diff)
			}
			if got != "" {
				if err := ValidateRef(got); err != nil {
					t.Errorf("EncodeRef(%+v) = %q, which Link refuses: %v", tt.ref, got, err)
				}
			}
			back, err := DecodeRef(got)
			if err != nil {
				t.Fatalf("DecodeRef(%q): %v", got, err)
			}
			if diff := cmp.Diff(tt.ref, back, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("DecodeRef(EncodeRef(r)) (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeRefErrors(t *testing.T) {
	t.Parallel()
	if _, err := EncodeRef(Ref{Extra: map[string]string{"": "v"}}); err == nil {
		t.Error("EncodeRef with an empty Extra key: no error")
	}
	_, err := EncodeRef(Ref{Campaign: strings.Repeat(".", MaxRefLen/3+1)}) // each '.' is 3 bytes
	var e *Error
	if !errors.As(err, &e) || e.Field != "ref" {
		t.Errorf("EncodeRef of an over-long ref: %v, want *Error on ref", err)
	}
}

func TestDecodeRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref       string
		want      Ref
		wantIndex int // -2: no error
	}{
		{ref: "spring_sale", want: Ref{Campaign: "spring_sale"}, wantIndex: -2},
		{ref: "summer-2026", want: Ref{Campaign: "summer-2026"}, wantIndex: -2},
		{ref: "=41", want: Ref{Campaign: "A"}, wantIndex: -2},
		{ref: "=tshoes=sads", want: Ref{Term: "shoes", Source: "ads"}, wantIndex: -2},
		{ref: "a=", wantIndex: 1},
		{ref: "a=4", wantIndex: 1},
		{ref: "a=4g", wantIndex: 1},
		{ref: "a=2e", wantIndex: 1},    // lower-case hex is not an escape
		{ref: "a=q", wantIndex: 2},     // unknown marker
		{ref: "a=sx=sy", wantIndex: 5}, // repeated field
		{ref: "=xk", wantIndex: 2},
		{ref: "=xk=s", wantIndex: 3},
		{ref: "=x=-v", wantIndex: 2},
		{ref: "=xk=-1=xk=-2", wantIndex: 9},
		{ref: "a=-b", wantIndex: 1},
		{ref: "a b", wantIndex: 1},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeRef(tt.ref)
			if tt.wantIndex == -2 {
				if err != nil {
					t.Fatalf("DecodeRef(%q): %v", tt.ref, err)
				}
				if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("DecodeRef(%q) (-want +got):\n%s", tt.ref, diff)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("DecodeRef(%q) = %+v, %v; want *Error", tt.ref, got, err)
			}
			if e.Index != tt.wantIndex {
				t.Errorf("DecodeRef(%q) error index %d, want %d (%v)", tt.ref, e.Index, tt.wantIndex, err)
			}
		})
	}
}

func FuzzRefRoundTrip(f *testing.F) {
	f.Add("spring_sale", "instagram", "story", "", "", "k", "v")
	f.Add("50% off", "a=b", "=2E", "x.y", "é", "", "")
	f.Add("", "", "", "", "", "=-", "=x")
	f.Fuzz(func(t *testing.T, campaign, source, medium, content, term, k, v string) {
		r := Ref{Campaign: campaign, Source: source, Medium: medium, Content: content, Term: term}
		if k != "" {
			r.Extra = map[string]string{k: v}
		}
		s, err := EncodeRef(r)
		if err != nil {
			return // too long
		}
		if s != "" {
			if err := ValidateRef(s); err != nil {
				t.Fatalf("EncodeRef(%+v) = %q fails ValidateRef: %v", r, s, err)
			}
		}
		back, err := DecodeRef(s)
		if err != nil {
			t.Fatalf("DecodeRef(%q): %v", s, err)
		}
		if diff := cmp.Diff(r, back, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip of %q (-want +got):\n%s", s, diff)
		}
	})
}

func FuzzDecodeRefNeverPanics(f *testing.F) {
	f.Add("a=sx=mv=x=-")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := DecodeRef(s)
		if err != nil {
			return
		}
		// Whatever decodes must encode to a ref that decodes to the same value.
		s2, err := EncodeRef(r)
		if err != nil {
			return
		}
		r2, err := DecodeRef(s2)
		if err != nil {
			t.Fatalf("DecodeRef(EncodeRef(%+v)) = %v", r, err)
		}
		if diff := cmp.Diff(r, r2, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	})
}
