package legalref

// SetPrefilter turns the prefilters on or off for the tests of the
// external package, and returns the function that restores the setting.
func SetPrefilter(on bool) (restore func()) {
	was := prefilter
	prefilter = on
	return func() { prefilter = was }
}
