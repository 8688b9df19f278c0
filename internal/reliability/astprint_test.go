package reliability

import (
	"go/printer"
	"go/token"
	"io"
	"os"
)

func printNode(w io.Writer, fset *token.FileSet, n any) error {
	return (&printer.Config{Mode: printer.RawFormat}).Fprint(w, fset, n)
}

func writeFile(path, src string) error { return os.WriteFile(path, []byte(src), 0o644) }
