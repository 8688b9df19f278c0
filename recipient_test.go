package messenger

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPartyRecipient(t *testing.T) {
	t.Parallel()
	require.Equal(t, PSID("123"), Party{ID: "123", Name: "Ada"}.Recipient())
	require.Equal(t, UserRef("ref-9"), Party{UserRef: "ref-9"}.Recipient())
	require.Equal(t, PSID("123"), Party{ID: "123", UserRef: "ref-9"}.Recipient(), "a PSID wins")
}
