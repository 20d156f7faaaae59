// Prints the JSON layout of the operator's service spec Go types (see generate_go_layout.py).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/ai-dynamo/dynamo/deploy/operator/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
)

var marshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
var types = map[string][]any{}

func name(t reflect.Type) string { return t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:] + "." + t.Name() }

func desc(t reflect.Type) any {
	if t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) {
		if t.Kind() == reflect.Pointer {
			return []any{"ptr", desc(t.Elem())}
		}
		return "marshaler:" + name(t)
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "float"
	case reflect.Pointer:
		return []any{"ptr", desc(t.Elem())}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes"
		}
		return []any{"slice", desc(t.Elem())}
	case reflect.Map:
		return []any{"map", desc(t.Elem())}
	case reflect.Interface:
		return "any"
	case reflect.Struct:
		n := name(t)
		if _, ok := types[n]; !ok {
			types[n] = nil
			var fields []any
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				parts := strings.Split(tag, ",")
				var omit any = false
				for _, p := range parts[1:] {
					if p == "omitempty" && omit == false {
						omit = true
					}
					if p == "omitzero" {
						omit = "zero" // left out when empty or when its IsZero() (or Go zero value) says so
					}
				}
				if f.Anonymous && parts[0] == "" {
					ft := f.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					fields = append(fields, []any{"", false, []any{"inline", desc(ft)}})
					continue
				}
				jn := parts[0]
				if jn == "" {
					jn = f.Name
				}
				fields = append(fields, []any{jn, omit, desc(f.Type)})
			}
			types[n] = fields
		}
		return n
	}
	panic(fmt.Sprint("unhandled ", t))
}

func main() {
	root := desc(reflect.TypeOf(v1alpha1.DynamoComponentDeploymentSharedSpec{}))
	desc(reflect.TypeOf(corev1.PodSpec{}))
	desc(reflect.TypeOf(corev1.Container{}))
	out := map[string]any{"root": root, "types": types}
	b, _ := json.Marshal(out)
	os.Stdout.Write(b)
}
