package certificate

import (
	"fmt"
	"testing"
)

func TestPDFCacheBounded(t *testing.T) {
	var c pdfCache
	for i := range 3 * pdfCacheSize {
		c.put(fmt.Sprint(i), []byte(fmt.Sprint(i)))
		if len(c.docs) > pdfCacheSize {
			t.Fatalf("%d documents cached, at most %d", len(c.docs), pdfCacheSize)
		}
	}
	last := fmt.Sprint(3*pdfCacheSize - 1)
	if got := c.get(last); string(got) != last {
		t.Fatalf("the latest document is not cached: %v", got)
	}
}
