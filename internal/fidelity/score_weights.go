// The weights of the sentence score (see ScoreWeights), set by hand: high
// support raises the score, each error and warning lowers it.
// `legists evaluate --public FILE --cut val --fit-score internal/fidelity/score_weights.go`
// replaces this file with weights fitted on a validation cut (README,
// "Fidelity scores", says what a fit on FaithBench gave and why these stay).

package fidelity

var scoreWeights = ScoreWeights{Bias: -1.5, Support: 5, Errs: -3, Warns: -1.2}
