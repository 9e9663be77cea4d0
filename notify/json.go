package notify

import (
	"bufio"
	"encoding/json"
	"io"
)

// WriteJSON writes v as indented JSON, with <, > and & as they are (so
// that addresses and 文号 read as written).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteJSONList writes items as a JSON array with one element a line: as
// valid as an indented array, greppable, and written as it goes rather
// than built and re-indented whole (100,000 events would be 70 MB to
// re-indent).
func WriteJSONList[T any](w io.Writer, items []T) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	bw.WriteString("[")
	for i := range items {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  ")
		b, err := json.Marshal(items[i])
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	if len(items) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}
