package messenger

import (
	"context"
	"net/http"
	"net/url"
)

// UserProfile is what the User Profile API tells about a person who messaged the
// Page. Only the fields asked for are filled; the Page may read first_name,
// last_name and profile_pic by default, the others need extra permissions.
type UserProfile struct {
	ID         string  `json:"id"`
	Name       string  `json:"name,omitempty"`
	FirstName  string  `json:"first_name,omitempty"`
	LastName   string  `json:"last_name,omitempty"`
	ProfilePic string  `json:"profile_pic,omitempty"`
	Locale     string  `json:"locale,omitempty"`
	Timezone   float64 `json:"timezone,omitempty"`
	Gender     string  `json:"gender,omitempty"`
}

// UserProfileField names a field of the User Profile API.
type UserProfileField string

// The user profile fields.
const (
	UserName       UserProfileField = "name"
	UserFirstName  UserProfileField = "first_name"
	UserLastName   UserProfileField = "last_name"
	UserProfilePic UserProfileField = "profile_pic"
	UserLocale     UserProfileField = "locale"
	UserTimezone   UserProfileField = "timezone"
	UserGender     UserProfileField = "gender"
)

// DefaultUserProfileFields are read when UserProfile is given no fields.
var DefaultUserProfileFields = []UserProfileField{UserFirstName, UserLastName, UserProfilePic}

// UserProfile reads the profile of the person psid (GET /{psid}?fields=…). Graph
// answers 2018218 when no profile is available and 2018247 when the Page may not
// read it.
func (c *Client) UserProfile(ctx context.Context, psid string, fields ...UserProfileField) (*UserProfile, error) {
	var v validator
	checkPSID(&v, "psid", psid)
	if err := v.err(); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		fields = DefaultUserProfileFields
	}
	var out struct {
		UserProfile
		ID graphID `json:"id"`
	}
	path := url.PathEscape(psid) + "?" + url.Values{"fields": {joinFields(fields)}}.Encode()
	if err := c.Do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	p := out.UserProfile
	p.ID = string(out.ID)
	if p.ID == "" {
		p.ID = psid
	}
	return &p, nil
}
