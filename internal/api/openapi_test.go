package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"legists/internal/api"
)

// kinDoc loads openapi.json with kin-openapi and validates it as an OpenAPI
// 3.1 document. For the tests, every object schema that lists properties
// and says nothing of others is made closed (additionalProperties: false),
// so that a response field the document does not describe fails.
func kinDoc(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	seen := map[*openapi3.Schema]bool{}
	var closeSchema func(s *openapi3.SchemaRef)
	closeSchema = func(s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		v := s.Value
		seen[v] = true
		if len(v.Properties) > 0 && v.AdditionalProperties.Has == nil && v.AdditionalProperties.Schema == nil && len(v.AllOf) == 0 {
			no := false
			v.AdditionalProperties.Has = &no
		}
		for _, p := range v.Properties {
			closeSchema(p)
		}
		closeSchema(v.Items)
		for _, a := range v.AllOf {
			closeSchema(a)
		}
	}
	for _, s := range doc.Components.Schemas {
		closeSchema(s)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				for _, mt := range r.Value.Content {
					closeSchema(mt.Schema)
				}
			}
		}
	}
	return doc
}

// TestOpenAPIDocumentIsValid: kin-openapi loads and validates the document.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := kinDoc(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
}

// validateResponse checks one response of the API tests against the
// document with openapi3filter: documented status, content type, and a body
// that matches the schema with no undocumented field.
func validateResponse(t *testing.T, doc *openapi3.T, method, docPath string, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	item := doc.Paths.Value(docPath)
	if item == nil {
		t.Errorf("%s %s: path not in the document", method, docPath)
		return
	}
	op := item.GetOperation(method)
	if op == nil {
		t.Errorf("%s %s: operation not in the document", method, docPath)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: doc, Path: docPath, PathItem: item, Method: method, Operation: op},
			Options: &openapi3filter.Options{IncludeResponseStatus: true},
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s %d does not conform to openapi.json (kin-openapi): %v\n%.600s", method, docPath, resp.StatusCode, err, body)
	}
}
