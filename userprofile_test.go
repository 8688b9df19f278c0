package messenger

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUserProfile(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"first_name":"Peter","last_name":"Chang","profile_pic":"https://platform-lookaside.fbsbx.com/p.jpg","id":"1254459154682919"}`))
	got, err := c.UserProfile(context.Background(), "1254459154682919")
	if err != nil {
		t.Fatal(err)
	}
	want := &UserProfile{ID: "1254459154682919", FirstName: "Peter", LastName: "Chang", ProfilePic: "https://platform-lookaside.fbsbx.com/p.jpg"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	call := calls()[0]
	if call.Method != http.MethodGet || call.Path != "/v25.0/1254459154682919" || call.Query != "fields=first_name%2Clast_name%2Cprofile_pic" {
		t.Errorf("call = %s %s?%s", call.Method, call.Path, call.Query)
	}
}

func TestUserProfileFields(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(200, `{"name":"Peter Chang","locale":"en_US","timezone":-7,"id":"1"}`))
	got, err := c.UserProfile(context.Background(), "1", UserName, UserLocale, UserTimezone)
	if err != nil {
		t.Fatal(err)
	}
	want := &UserProfile{ID: "1", Name: "Peter Chang", Locale: "en_US", Timezone: -7}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if q := calls()[0].Query; q != "fields=name%2Clocale%2Ctimezone" {
		t.Errorf("query = %s", q)
	}
}

func TestUserProfileErrors(t *testing.T) {
	t.Parallel()
	c, calls := stubGraph(t, answer(400, `{"error":{"message":"Insufficient permission to access user profile","code":2018247}}`))
	_, err := c.UserProfile(context.Background(), "1")
	var ge *GraphError
	if !errors.As(err, &ge) || ge.Code != 2018247 {
		t.Errorf("err = %v, want the 2018247 *GraphError", err)
	}
	_, err = c.UserProfile(context.Background(), "")
	checkViolation(t, err, "psid")
	_, err = c.UserProfile(context.Background(), "me/accounts?x=")
	checkViolation(t, err, "psid")
	if n := len(calls()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}
