import numpy as np
import pytest
import scipy.sparse as sp

from graphkit.embed.evaluation import _f1, evaluate_node_classification, fit_one_vs_rest, top_k_indicator
from graphkit.errors import ConfigError


def test_top_k_indicator_marks_each_rows_k_best():
    scores = np.array([[0.1, 0.9, 0.5], [0.7, 0.2, 0.6], [0.3, 0.2, 0.1]])
    got = top_k_indicator(scores, np.array([1, 2, 0]))
    np.testing.assert_array_equal(got, [[0, 1, 0], [1, 0, 1], [0, 0, 0]])


def test_f1_hand_computed_including_an_unseen_label():
    y_true = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0]])
    y_pred = np.array([[1, 0, 0], [1, 0, 0], [1, 1, 0]])
    micro, macro = _f1(y_true, y_pred, labels=None)
    # label 0: tp 2, fp 1 -> 0.8; label 1: tp 1, fn 1 -> 2/3; label 2 never occurs -> 0.
    assert micro == pytest.approx(6 / 8)
    assert macro == pytest.approx((0.8 + 2 / 3 + 0.0) / 3)


def make_multilabel(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 3)) < 0.4).astype(int)
    y[y.sum(axis=1) == 0, 0] = 1  # every node has at least one label
    return y


def test_evaluate_multilabel_separable_embedding_is_perfect():
    y = make_multilabel()
    embedding = y * 4.0 + np.random.default_rng(1).normal(scale=0.1, size=y.shape)
    report = evaluate_node_classification(embedding, sp.csr_matrix(y), train_ratios=(0.5, 0.8), n_shuffles=2, C=10.0)
    assert report["protocol"] == "multilabel_topk" and report["num_labels"] == 3
    assert [r["train_ratio"] for r in report["results"]] == [0.5, 0.8]
    for row in report["results"]:
        assert row["micro_f1"]["mean"] == pytest.approx(1.0)
        assert row["macro_f1"]["mean"] == pytest.approx(1.0)
        assert len(row["micro_f1"]["runs"]) == 2


def test_evaluate_multilabel_uninformative_embedding_is_not():
    y = make_multilabel()
    noise = np.random.default_rng(2).normal(size=(60, 3))
    report = evaluate_node_classification(noise, y, train_ratios=(0.5,), n_shuffles=3)
    assert report["results"][0]["micro_f1"]["mean"] < 0.8


def test_evaluate_predicts_as_many_labels_as_the_node_has():
    # One informative dimension per label; top-k must give multi-label nodes both labels.
    y = np.array([[1, 0], [0, 1], [1, 1], [1, 0], [0, 1], [1, 1]] * 5)
    embedding = y.astype(float)
    report = evaluate_node_classification(embedding, y, train_ratios=(0.5,), n_shuffles=1, C=100.0)
    assert report["results"][0]["micro_f1"]["mean"] == pytest.approx(1.0)


def test_evaluate_multiclass_protocol():
    classes = np.repeat([0, 1, 2], 20)
    embedding = np.eye(3)[classes] + np.random.default_rng(0).normal(scale=0.05, size=(60, 3))
    report = evaluate_node_classification(embedding, classes, train_ratios=(0.3,), n_shuffles=2)
    assert report["protocol"] == "multiclass" and report["num_labels"] == 3
    assert report["results"][0]["micro_f1"]["mean"] == pytest.approx(1.0)


def test_evaluate_is_deterministic_under_random_state():
    y = make_multilabel()
    x = np.random.default_rng(3).normal(size=(60, 4))
    first = evaluate_node_classification(x, y, train_ratios=(0.5,), n_shuffles=2, random_state=5)
    second = evaluate_node_classification(x, y, train_ratios=(0.5,), n_shuffles=2, random_state=5)
    assert first == second


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(train_ratios=(1.0,)), "train ratios"),
        (dict(n_shuffles=0), "n_shuffles"),
        (dict(C=0.0), "C must"),
    ],
)
def test_evaluate_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        evaluate_node_classification(np.zeros((10, 2)), np.zeros((10, 2)), **kwargs)


def test_evaluate_rejects_mismatched_or_non_finite_input():
    with pytest.raises(ConfigError, match="rows"):
        evaluate_node_classification(np.zeros((10, 2)), np.zeros((9, 2)))
    with pytest.raises(ConfigError, match="NaN"):
        evaluate_node_classification(np.full((10, 2), np.nan), np.zeros((10, 2)))


def test_fit_one_vs_rest_matches_liblinear_per_label():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 4)) * np.array([1.0, 3.0, 0.3, 1.0])
    y = np.zeros((80, 4), dtype=np.int8)
    y[:, 0] = x[:, 0] + 0.5 * rng.normal(size=80) > 0
    y[:, 1] = x[:, 1] - x[:, 2] > 1.0
    y[:, 3] = 1  # on every train node: a constant predictor, like scikit-learn's one-vs-rest
    x_bias = np.hstack([x, np.ones((80, 1))]).astype(np.float32)
    scores, weights = fit_one_vs_rest(x_bias[:60], y[:60], x_bias[60:], C=0.5, tol=1e-8)
    for label in (0, 1):
        ref = LogisticRegression(C=0.5, solver="liblinear", tol=1e-10).fit(x[:60], y[:60, label])
        np.testing.assert_allclose(weights[:, label], np.append(ref.coef_.ravel(), ref.intercept_), atol=2e-3)
        np.testing.assert_allclose(scores[:, label], ref.decision_function(x[60:]), atol=1e-2)
    assert np.all(scores[:, 2] == -np.inf) and np.all(scores[:, 3] == np.inf)


def test_evaluate_progress_bar_names_ratio_and_shuffle(capsys):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)), (rng.random((40, 2)) < 0.5).astype(int)
    evaluate_node_classification(x, y, train_ratios=(0.5,), n_shuffles=2, progress=True)
    assert "train 50% shuffle 2/2" in capsys.readouterr().err


def test_embed_evaluation_progress_in_a_log_has_no_carriage_returns(capsys):
    classes = np.repeat([0, 1], 10)
    embedding = np.eye(2)[classes] + np.random.default_rng(0).normal(scale=0.05, size=(20, 2))
    evaluate_node_classification(embedding, classes, train_ratios=(0.5,), n_shuffles=2, progress=True)
    err = capsys.readouterr().err  # pytest's capture is not a terminal, as a log file
    assert err and "\r" not in err
    assert err.splitlines()[-1].startswith("train 50% shuffle 2/2: 2/2 fits done in ")
