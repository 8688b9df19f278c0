package persona_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/persona"
)

// personasAPI is a stand-in for Graph's Personas API with two existing personas,
// one per page of results.
func personasAPI(creates *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/me/personas"):
			creates.Add(1)
			fmt.Fprint(w, `{"id":"3003"}`)
		case r.URL.Query().Get("after") == "":
			json.NewEncoder(w).Encode(map[string]any{
				"data":   []map[string]string{{"id": "1001", "name": "Anna", "profile_picture_url": "https://example.com/anna.jpg"}},
				"paging": map[string]any{"cursors": map[string]string{"after": "A"}, "next": "https://graph/next"},
			})
		default:
			json.NewEncoder(w).Encode(map[string]any{
				"data":   []map[string]string{{"id": "2002", "name": "Ben", "profile_picture_url": "https://example.com/ben.jpg"}},
				"paging": map[string]any{"cursors": map[string]string{"after": "B"}},
			})
		}
	}))
}

func ExampleClient_Ensure() {
	var creates atomic.Int32
	graph := personasAPI(&creates)
	defer graph.Close()
	client, _ := messenger.New("PAGE_ACCESS_TOKEN", messenger.WithBaseURL(graph.URL))
	personas, err := persona.New(client)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	ben, _ := personas.Ensure(ctx, "Ben", "https://example.com/ben.jpg")     // found on page 2
	cleo, _ := personas.Ensure(ctx, "Cleo", "https://example.com/cleo.jpg")  // created
	cleo2, _ := personas.Ensure(ctx, "Cleo", "https://example.com/cleo.jpg") // cached
	fmt.Println(ben.ID, cleo.ID, cleo2.ID, "creates:", creates.Load())
	// Output: 2002 3003 3003 creates: 1
}

func ExampleClient_List() {
	var creates atomic.Int32
	graph := personasAPI(&creates)
	defer graph.Close()
	client, _ := messenger.New("PAGE_ACCESS_TOKEN", messenger.WithBaseURL(graph.URL))
	personas, err := persona.New(client)
	if err != nil {
		log.Fatal(err)
	}
	for p, err := range personas.List(context.Background()) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(p.ID, p.Name)
	}
	// Output:
	// 1001 Anna
	// 2002 Ben
}
