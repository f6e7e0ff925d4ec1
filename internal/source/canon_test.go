package source

import "testing"

func TestCanonicalURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://Example.COM/a/b?utm_source=x&utm_medium=y&id=3#frag", "https://example.com/a/b?id=3"},
		{"http://example.com:80", "http://example.com/"},
		{"https://example.com:443/x", "https://example.com/x"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"https://user:pw@example.com/x", "https://example.com/x"},
		{"https://example.com/x?b=2&a=1&fbclid=abc&gclid=9&a=0", "https://example.com/x?a=1&a=0&b=2"},
		{"https://example.com/x?UTM_Campaign=z", "https://example.com/x"},
		{"https://example.com/x?mc_cid=1&mc_eid=2&_ga=3&msclkid=4&igshid=5", "https://example.com/x"},
		{"  https://example.com/Case-Sensitive/Path/  ", "https://example.com/Case-Sensitive/Path/"},
		{"https://example.com./x", "https://example.com/x"},
		{"https://[::1]:443/x", "https://[::1]/x"},
		{"https://example.com/a%2Fb?q=a%20b", "https://example.com/a%2Fb?q=a%20b"},
	}
	for _, c := range cases {
		got, err := CanonicalURL(c.in)
		if err != nil {
			t.Errorf("CanonicalURL(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"", "example.com/x", "ftp://example.com/", "mailto:a@b.c", "https:///path", "javascript:alert(1)"} {
		if got, err := CanonicalURL(bad); err == nil {
			t.Errorf("CanonicalURL(%q) = %q, want error", bad, got)
		}
	}
}

func TestCanonicalIdempotent(t *testing.T) {
	for _, in := range []string{"https://Example.com/a?z=1&utm_x=2&b=3", "http://a.example:80/?"} {
		once, err := CanonicalURL(in)
		if err != nil {
			t.Fatal(err)
		}
		twice, err := CanonicalURL(once)
		if err != nil || twice != once {
			t.Errorf("not idempotent: %q -> %q -> %q (%v)", in, once, twice, err)
		}
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{"https://example.com/a?utm_source=x&b=1#f", "http://[::1]:80/", "https://a.example/%zz", "http://x.example/?&&=&a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		once, err := CanonicalURL(in)
		if err != nil {
			return
		}
		twice, err := CanonicalURL(once)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", once, in, err)
		}
		if twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, once, twice)
		}
	})
}
