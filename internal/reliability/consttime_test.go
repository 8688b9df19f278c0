package reliability

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// secretWords are the parts of a Go name (split at camel case and underscores)
// that mark a value an attacker could learn byte by byte from comparison timing.
var secretWords = map[string]bool{
	"secret": true, "token": true, "signature": true, "sig": true, "proof": true,
	"digest": true, "mac": true, "hmac": true, "sum": true,
}

// variableTimeCalls compare their arguments in time that depends on where they
// first differ.
var variableTimeCalls = map[string]bool{
	"bytes.Equal": true, "bytes.Compare": true, "strings.EqualFold": true,
	"strings.Compare": true, "reflect.DeepEqual": true, "slices.Equal": true,
}

// constantTimeAllowed lists comparisons that mention a secret word but compare
// something public, each with its reason. Keys are "file: expression".
var constantTimeAllowed = map[string]string{}

var camel = regexp.MustCompile(`[A-Z]?[a-z0-9]+|[A-Z]+(?:[A-Z][a-z]|$)?`)

func nameWords(name string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		for _, w := range camel.FindAllString(part, -1) {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}

// secretish reports whether e names a secret: an identifier, a field or a call
// whose name has a secret word.
func secretish(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return hasSecretWord(x.Name)
	case *ast.SelectorExpr:
		return hasSecretWord(x.Sel.Name)
	case *ast.CallExpr:
		if fn := callName(x); fn == "len" || fn == "cap" {
			return false
		}
		if secretishCall(x) {
			return true
		}
		for _, a := range x.Args {
			if secretish(a) {
				return true
			}
		}
	case *ast.SliceExpr:
		return secretish(x.X)
	case *ast.IndexExpr:
		return false // one byte or element: a header lookup, a digit, not the secret
	case *ast.ParenExpr:
		return secretish(x.X)
	case *ast.StarExpr:
		return secretish(x.X)
	case *ast.UnaryExpr:
		return secretish(x.X)
	}
	return false
}

func secretishCall(c *ast.CallExpr) bool {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return hasSecretWord(f.Name)
	case *ast.SelectorExpr:
		return hasSecretWord(f.Sel.Name)
	}
	return false
}

func hasSecretWord(name string) bool {
	for _, w := range nameWords(name) {
		if secretWords[w] {
			return true
		}
	}
	return false
}

func callName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
		return f.Sel.Name
	}
	return ""
}

// public reports whether e is a literal, a named constant in capitals, nil, or
// an expression of lengths: comparing against those reveals nothing secret.
func public(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return x.Name == "nil" || x.Name == "true" || x.Name == "false"
	case *ast.CallExpr:
		fn := callName(x)
		return fn == "len" || fn == "cap"
	case *ast.BinaryExpr:
		return public(x.X) && public(x.Y)
	}
	return false
}

// findVariableTimeComparisons returns "file: expression" for every comparison in
// the Go files of dir (tests excluded) that may compare a secret in variable time.
func findVariableTimeComparisons(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		src := func(n ast.Node) string {
			return filepath.Base(path) + ": " + exprString(fset, n)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BinaryExpr:
				if x.Op != token.EQL && x.Op != token.NEQ {
					return true
				}
				if public(x.X) || public(x.Y) {
					return true
				}
				if secretish(x.X) || secretish(x.Y) {
					found = append(found, src(x))
				}
			case *ast.CallExpr:
				if !variableTimeCalls[callName(x)] {
					return true
				}
				for _, a := range x.Args {
					if secretish(a) {
						found = append(found, src(x))
						break
					}
				}
			}
			return true
		})
	}
	return found
}

func exprString(fset *token.FileSet, n ast.Node) string {
	var b strings.Builder
	if err := printNode(&b, fset, n); err != nil {
		return "?"
	}
	return b.String()
}

// TestConstantTimeComparisons fails on any ==, != or variable-time comparison
// function in the SDK's root package, its transport and the fake Graph server
// (which checks tokens and proofs for code under test, and runs as "messenger
// fake" for other languages) that has a signature, token, secret, proof
// or digest on either side (against anything but a literal or a length).
// Signature and token checks must go through hmac.Equal or
// subtle.ConstantTimeCompare. A comparison that is public despite its name goes
// into constantTimeAllowed with the reason.
func TestConstantTimeComparisons(t *testing.T) {
	for _, dir := range []string{"../..", "../transport", "../../messengertest"} {
		for _, f := range findVariableTimeComparisons(t, dir) {
			if reason, ok := constantTimeAllowed[f]; ok {
				t.Logf("allowed: %s (%s)", f, reason)
				continue
			}
			t.Errorf("variable-time comparison of a secret: %s", f)
		}
	}
}

// TestConstantTimeCheckerCatchesComparisons feeds the checker code that compares
// secrets wrongly and rightly.
func TestConstantTimeCheckerCatchesComparisons(t *testing.T) {
	dir := t.TempDir()
	src := `package x

import ("bytes"; "crypto/hmac")

type req struct{ Sig string; n int }

func f(expectedSig, got string, r req, verifyToken string, mac []byte, sum []byte) bool {
	_ = got == expectedSig                 // flagged
	_ = r.Sig != got                        // flagged
	_ = bytes.Equal(mac, sum)               // flagged
	_ = computeSignature(got) == got        // flagged
	_ = verifyToken == ""                   // emptiness: fine
	_ = len(expectedSig) != 64              // length: fine
	_ = r.n == 3                            // not a secret
	return hmac.Equal(mac, sum)             // constant time: fine
}

func computeSignature(s string) string { return s }
`
	if err := writeFile(filepath.Join(dir, "x.go"), src); err != nil {
		t.Fatal(err)
	}
	got := findVariableTimeComparisons(t, dir)
	want := []string{
		"x.go: got == expectedSig",
		"x.go: r.Sig != got",
		"x.go: bytes.Equal(mac, sum)",
		"x.go: computeSignature(got) == got",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("flagged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
