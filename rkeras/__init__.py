"""rkeras: the R keras3 API in Python, on a small numpy + numba deep-learning core.

Every public name is exported here, and only here (STYLE.md): R-style functions
(`layer_*`, `keras_*`, model verbs, `optimizer_*`, `loss_*`, `metric_*`, `initializer_*`,
`regularizer_*`, `constraint_*`, `callback_*`, `dataset_*`, `op_*`) and the few classes users meet.

The names are declared explicitly: each module that defines public functions lists them in its `__all__`,
and this file imports each of them by name and lists them again in `__all__`, one group per module, so a
reader or a tool sees every name without running the package. A new public function is added to its
module's `__all__` and here; tests/test_public_names.py fails, naming it, until both are done.
"""

from .compose import pipe
from .core.config import config_floatx, config_set_floatx
from .core.layer import Layer
from .core.naming import reset_names as _reset_names
from .core.symbolic import KerasTensor, keras_input
from .core.variable import Variable
from .models.functional import Functional, keras_model
from .models.model import Model
from .models.sequential import Sequential, keras_model_sequential
from .training.vjp import value_and_grad, vjp
from .api.layers_normalization import (
    layer_batch_normalization, layer_group_normalization, layer_layer_normalization, layer_rms_normalization,
    layer_spectral_normalization, layer_unit_normalization,
)
from .api.layers_preprocessing import (
    adapt, layer_category_encoding, layer_discretization, layer_hashed_crossing, layer_hashing,
    layer_integer_lookup, layer_mel_spectrogram, layer_normalization, layer_pipeline, layer_stft_spectrogram,
    layer_string_lookup, layer_text_vectorization,
)
from .api.layers_core import (
    layer_activation, layer_dense, layer_dropout, layer_einsum_dense, layer_flatten, layer_identity, layer_input,
    layer_reshape,
)
from .api.layers_convolutional import (
    layer_conv_1d, layer_conv_1d_transpose, layer_conv_2d, layer_conv_2d_transpose, layer_conv_3d,
    layer_conv_3d_transpose, layer_cropping_1d, layer_cropping_2d, layer_cropping_3d, layer_depthwise_conv_1d,
    layer_depthwise_conv_2d, layer_separable_conv_1d, layer_separable_conv_2d, layer_upsampling_1d,
    layer_upsampling_2d, layer_upsampling_3d, layer_zero_padding_1d, layer_zero_padding_2d, layer_zero_padding_3d,
)
from .api.layers_pooling import (
    layer_average_pooling_1d, layer_average_pooling_2d, layer_average_pooling_3d, layer_global_average_pooling_1d,
    layer_global_average_pooling_2d, layer_global_average_pooling_3d, layer_global_max_pooling_1d,
    layer_global_max_pooling_2d, layer_global_max_pooling_3d, layer_max_pooling_1d, layer_max_pooling_2d,
    layer_max_pooling_3d,
)
from .api.layers_embedding import layer_embedding, layer_masking
from .api.layers_merging import (
    layer_add, layer_average, layer_concatenate, layer_dot, layer_maximum, layer_minimum, layer_multiply,
    layer_subtract,
)
from .api.layers_activation import (
    layer_activation_elu, layer_activation_leaky_relu, layer_activation_parametric_relu,
    layer_activation_relu, layer_activation_softmax,
)
from .api.layers_regularization import (
    layer_activity_regularization, layer_alpha_dropout, layer_gaussian_dropout, layer_gaussian_noise,
    layer_spatial_dropout_1d, layer_spatial_dropout_2d, layer_spatial_dropout_3d,
)
from .api.layers_reshaping import layer_permute, layer_repeat_vector
from .api.layers_attention import (
    layer_additive_attention, layer_attention, layer_group_query_attention, layer_multi_head_attention,
)
from .api.layers_image_preprocessing import layer_center_crop, layer_rescaling, layer_resizing
from .api.layers_image_augmentation import (
    layer_aug_mix, layer_auto_contrast, layer_cut_mix, layer_equalization, layer_max_num_bounding_boxes,
    layer_mix_up, layer_rand_augment, layer_random_brightness, layer_random_color_degeneration,
    layer_random_color_jitter, layer_random_contrast, layer_random_crop, layer_random_elastic_transform,
    layer_random_erasing, layer_random_flip, layer_random_gaussian_blur, layer_random_grayscale, layer_random_hue,
    layer_random_invert, layer_random_perspective, layer_random_posterization, layer_random_rotation,
    layer_random_saturation, layer_random_sharpness, layer_random_shear, layer_random_translation,
    layer_random_zoom, layer_solarization,
)
from .api.layers_recurrent import (
    layer_bidirectional, layer_conv_lstm_1d, layer_conv_lstm_2d, layer_conv_lstm_3d, layer_gru, layer_lstm,
    layer_rnn, layer_simple_rnn, layer_time_distributed, rnn_cell_gru, rnn_cell_lstm, rnn_cell_simple,
    rnn_cells_stack,
)
from .api.verbs import (
    compile, evaluate, fit, freeze_weights, get_weights, predict, predict_on_batch, set_weights, summary,
    test_on_batch, train_on_batch, unfreeze_weights,
)
from .api.utils import get_layer, pad_sequences, pop_layer, to_categorical, zip_lists
from .initializers import (
    initializer_constant, initializer_glorot_normal, initializer_glorot_uniform, initializer_he_normal,
    initializer_he_uniform, initializer_identity, initializer_lecun_normal, initializer_lecun_uniform,
    initializer_ones, initializer_orthogonal, initializer_random_normal, initializer_random_uniform,
    initializer_truncated_normal, initializer_variance_scaling, initializer_zeros,
)
from .regularizers import regularizer_l1, regularizer_l1_l2, regularizer_l2
from .constraints import constraint_maxnorm, constraint_minmaxnorm, constraint_nonneg, constraint_unitnorm
from .random import set_random_seed
from .training.optimizers import (
    optimizer_adadelta, optimizer_adagrad, optimizer_adam, optimizer_adam_w, optimizer_adamax,
    optimizer_adamw, optimizer_ftrl, optimizer_lamb, optimizer_lion, optimizer_nadam, optimizer_rmsprop,
    optimizer_sgd,
)
from .training.learning_rate_schedules import (
    learning_rate_schedule_cosine_decay, learning_rate_schedule_cosine_decay_restarts,
    learning_rate_schedule_exponential_decay, learning_rate_schedule_inverse_time_decay,
    learning_rate_schedule_piecewise_constant_decay, learning_rate_schedule_polynomial_decay,
)
from .training.losses import (
    loss_binary_crossentropy, loss_binary_focal_crossentropy, loss_categorical_crossentropy,
    loss_categorical_focal_crossentropy, loss_categorical_hinge, loss_cosine_similarity, loss_hinge,
    loss_huber, loss_kl_divergence, loss_log_cosh, loss_mean_absolute_error,
    loss_mean_absolute_percentage_error, loss_mean_squared_error, loss_mean_squared_logarithmic_error,
    loss_poisson, loss_sparse_categorical_crossentropy, loss_squared_hinge,
)
from .training.metrics import (
    metric_accuracy, metric_auc, metric_binary_accuracy, metric_binary_crossentropy, metric_binary_iou,
    metric_categorical_accuracy, metric_categorical_crossentropy, metric_f1_score, metric_fbeta_score,
    metric_iou, metric_mean, metric_mean_absolute_error, metric_mean_iou, metric_mean_squared_error,
    metric_one_hot_iou, metric_one_hot_mean_iou, metric_precision, metric_r2_score, metric_recall,
    metric_root_mean_squared_error, metric_sparse_categorical_accuracy,
    metric_sparse_categorical_crossentropy, metric_sparse_top_k_categorical_accuracy,
    metric_top_k_categorical_accuracy,
)
from .training.callbacks import (
    callback_csv_logger, callback_early_stopping, callback_history, callback_lambda,
    callback_learning_rate_scheduler, callback_progbar_logger, callback_reduce_lr_on_plateau,
    callback_terminate_on_nan,
)
from .training.checkpoint_callbacks import callback_backup_and_restore, callback_model_checkpoint
from .api.saving import (
    clone_model, deserialize_keras_object, load_model, load_model_config, load_model_weights,
    register_keras_serializable, save_model, save_model_config, save_model_weights, serialize_keras_object,
)
from .training.history import as_data_frame, plot
from .datasets import dataset_digits
from .distribute.data_parallel import distribution_data_parallel, set_distribution
from .ops.math import (
    op_abs, op_add, op_angle, op_arccos, op_arccosh, op_arcsin, op_arcsinh, op_arctan, op_arctan2,
    op_arctanh, op_bitwise_and, op_bitwise_invert, op_bitwise_left_shift, op_bitwise_not, op_bitwise_or,
    op_bitwise_right_shift, op_bitwise_xor, op_cbrt, op_ceil, op_clip, op_conj, op_copy, op_cos, op_cosh,
    op_deg2rad, op_divide, op_divide_no_nan, op_equal, op_erf, op_erfinv, op_exp, op_exp2, op_expm1,
    op_floor, op_floor_divide, op_greater, op_greater_equal, op_heaviside, op_imag, op_isclose, op_isfinite,
    op_isinf, op_isnan, op_left_shift, op_less, op_less_equal, op_log, op_log1p, op_log2, op_log10,
    op_logaddexp, op_logical_and, op_logical_not, op_logical_or, op_logical_xor, op_maximum, op_minimum,
    op_mod, op_multiply, op_nan_to_num, op_negative, op_not_equal, op_pmax, op_pmin, op_power, op_real,
    op_reciprocal, op_right_shift, op_round, op_rsqrt, op_select, op_sign, op_signbit, op_sin, op_sinh,
    op_sqrt, op_square, op_subtract, op_tan, op_tanh, op_trunc, op_where,
)
from .ops.reductions import (
    op_all, op_any, op_argmax, op_argmin, op_average, op_count_nonzero, op_cumprod, op_cumsum, op_logsumexp,
    op_max, op_mean, op_median, op_min, op_moments, op_prod, op_quantile, op_std, op_sum, op_var,
)
from .ops.shape import (
    op_append, op_argsort, op_bincount, op_broadcast_to, op_concatenate, op_diag, op_diagflat, op_diagonal,
    op_diff, op_digitize, op_expand_dims, op_extract_sequences, op_flip, op_get_item, op_histogram,
    op_hstack, op_meshgrid, op_moveaxis, op_ndim, op_pad, op_ravel, op_repeat, op_reshape, op_roll, op_rot90,
    op_searchsorted, op_shape, op_size, op_slice, op_slice_update, op_sort, op_split, op_squeeze, op_stack,
    op_swapaxes, op_take, op_take_along_axis, op_tile, op_top_k, op_trace, op_transpose, op_tril, op_triu,
    op_unstack, op_vstack,
)
from .ops.linalg import (
    op_cholesky, op_corrcoef, op_cross, op_det, op_dot, op_eig, op_eigh, op_einsum, op_inner, op_inv,
    op_logdet, op_lstsq, op_matmul, op_norm, op_normalize, op_outer, op_qr, op_slogdet, op_solve,
    op_solve_triangular, op_svd, op_tensordot, op_vdot,
)
from .ops.nn import (
    op_batch_normalization, op_binary_crossentropy, op_categorical_crossentropy, op_celu,
    op_dot_product_attention, op_elu, op_gelu, op_glu, op_hard_shrink, op_hard_sigmoid, op_hard_silu,
    op_hard_swish, op_hard_tanh, op_layer_normalization, op_leaky_relu, op_log_sigmoid, op_log_softmax,
    op_multi_hot, op_one_hot, op_psnr, op_relu, op_relu6, op_rms_normalization, op_selu, op_sigmoid, op_silu,
    op_soft_shrink, op_softmax, op_softplus, op_softsign, op_sparse_categorical_crossentropy, op_sparse_plus,
    op_sparse_sigmoid, op_sparsemax, op_squareplus, op_tanh_shrink, op_threshold,
)
from .ops.creation import (
    op_arange, op_bartlett, op_blackman, op_empty, op_eye, op_full, op_full_like, op_hamming, op_hanning,
    op_identity, op_kaiser, op_linspace, op_logspace, op_ones, op_ones_like, op_tri, op_zeros, op_zeros_like,
)
from .ops.core import (
    array_reshape, op_array, op_cast, op_cond, op_convert_to_array, op_convert_to_numpy,
    op_convert_to_tensor, op_custom_gradient, op_dtype, op_fori_loop, op_is_tensor, op_map, op_saturate_cast,
    op_scan, op_stop_gradient, op_vectorized_map, op_while_loop, shape,
)
from .ops.random import (
    random_beta, random_binomial, random_categorical, random_dropout, random_gamma, random_integer,
    random_normal, random_seed_generator, random_shuffle, random_truncated_normal, random_uniform,
)
from .api.custom import (
    Callback, Loss, Metric, layer_lambda, new_callback_class, new_layer_class, new_loss_class,
    new_metric_class, new_model_class,
)

__version__ = "0.1.0"

# Every public name, literally (tools read it; tests/test_public_names.py checks that it is the union of
# the `__all__` of the modules imported above).
__all__ = [
    # rkeras
    "Functional", "KerasTensor", "Layer", "Model", "Sequential", "Variable", "clear_session",
    "config_floatx", "config_set_floatx", "keras_input", "keras_model", "keras_model_sequential", "pipe",
    "value_and_grad", "vjp",
    # rkeras.api.layers_normalization
    "layer_batch_normalization", "layer_group_normalization", "layer_layer_normalization",
    "layer_rms_normalization", "layer_spectral_normalization", "layer_unit_normalization",
    # rkeras.api.layers_preprocessing
    "adapt", "layer_category_encoding", "layer_discretization", "layer_hashed_crossing", "layer_hashing",
    "layer_integer_lookup", "layer_mel_spectrogram", "layer_normalization", "layer_pipeline",
    "layer_stft_spectrogram", "layer_string_lookup", "layer_text_vectorization",
    # rkeras.api.layers_core
    "layer_activation", "layer_dense", "layer_dropout", "layer_einsum_dense", "layer_flatten", "layer_identity",
    "layer_input", "layer_reshape",
    # rkeras.api.layers_convolutional
    "layer_conv_1d", "layer_conv_1d_transpose", "layer_conv_2d", "layer_conv_2d_transpose", "layer_conv_3d",
    "layer_conv_3d_transpose", "layer_cropping_1d", "layer_cropping_2d", "layer_cropping_3d",
    "layer_depthwise_conv_1d", "layer_depthwise_conv_2d", "layer_separable_conv_1d", "layer_separable_conv_2d",
    "layer_upsampling_1d", "layer_upsampling_2d", "layer_upsampling_3d", "layer_zero_padding_1d",
    "layer_zero_padding_2d", "layer_zero_padding_3d",
    # rkeras.api.layers_pooling
    "layer_average_pooling_1d", "layer_average_pooling_2d", "layer_average_pooling_3d",
    "layer_global_average_pooling_1d", "layer_global_average_pooling_2d", "layer_global_average_pooling_3d",
    "layer_global_max_pooling_1d", "layer_global_max_pooling_2d", "layer_global_max_pooling_3d",
    "layer_max_pooling_1d", "layer_max_pooling_2d", "layer_max_pooling_3d",
    # rkeras.api.layers_embedding
    "layer_embedding", "layer_masking",
    # rkeras.api.layers_merging
    "layer_add", "layer_average", "layer_concatenate", "layer_dot", "layer_maximum", "layer_minimum",
    "layer_multiply", "layer_subtract",
    # rkeras.api.layers_activation
    "layer_activation_elu", "layer_activation_leaky_relu", "layer_activation_parametric_relu",
    "layer_activation_relu", "layer_activation_softmax",
    # rkeras.api.layers_regularization
    "layer_activity_regularization", "layer_alpha_dropout", "layer_gaussian_dropout", "layer_gaussian_noise",
    "layer_spatial_dropout_1d", "layer_spatial_dropout_2d", "layer_spatial_dropout_3d",
    # rkeras.api.layers_reshaping
    "layer_permute", "layer_repeat_vector",
    # rkeras.api.layers_attention
    "layer_additive_attention", "layer_attention", "layer_group_query_attention", "layer_multi_head_attention",
    # rkeras.api.layers_image_preprocessing
    "layer_center_crop", "layer_rescaling", "layer_resizing",
    # rkeras.api.layers_image_augmentation
    "layer_aug_mix", "layer_auto_contrast", "layer_cut_mix", "layer_equalization", "layer_max_num_bounding_boxes",
    "layer_mix_up", "layer_rand_augment", "layer_random_brightness", "layer_random_color_degeneration",
    "layer_random_color_jitter", "layer_random_contrast", "layer_random_crop", "layer_random_elastic_transform",
    "layer_random_erasing", "layer_random_flip", "layer_random_gaussian_blur", "layer_random_grayscale",
    "layer_random_hue", "layer_random_invert", "layer_random_perspective", "layer_random_posterization",
    "layer_random_rotation", "layer_random_saturation", "layer_random_sharpness", "layer_random_shear",
    "layer_random_translation", "layer_random_zoom", "layer_solarization",
    # rkeras.api.layers_recurrent
    "layer_bidirectional", "layer_conv_lstm_1d", "layer_conv_lstm_2d", "layer_conv_lstm_3d", "layer_gru",
    "layer_lstm", "layer_rnn", "layer_simple_rnn", "layer_time_distributed", "rnn_cell_gru", "rnn_cell_lstm",
    "rnn_cell_simple", "rnn_cells_stack",
    # rkeras.api.verbs
    "compile", "evaluate", "fit", "freeze_weights", "get_weights", "predict", "predict_on_batch",
    "set_weights", "summary", "test_on_batch", "train_on_batch", "unfreeze_weights",
    # rkeras.api.utils
    "get_layer", "pad_sequences", "pop_layer", "to_categorical", "zip_lists",
    # rkeras.initializers
    "initializer_constant", "initializer_glorot_normal", "initializer_glorot_uniform",
    "initializer_he_normal", "initializer_he_uniform", "initializer_identity", "initializer_lecun_normal",
    "initializer_lecun_uniform", "initializer_ones", "initializer_orthogonal", "initializer_random_normal",
    "initializer_random_uniform", "initializer_truncated_normal", "initializer_variance_scaling",
    "initializer_zeros",
    # rkeras.regularizers
    "regularizer_l1", "regularizer_l1_l2", "regularizer_l2",
    # rkeras.constraints
    "constraint_maxnorm", "constraint_minmaxnorm", "constraint_nonneg", "constraint_unitnorm",
    # rkeras.random
    "set_random_seed",
    # rkeras.training.optimizers
    "optimizer_adadelta", "optimizer_adagrad", "optimizer_adam", "optimizer_adam_w", "optimizer_adamax",
    "optimizer_adamw", "optimizer_ftrl", "optimizer_lamb", "optimizer_lion", "optimizer_nadam",
    "optimizer_rmsprop", "optimizer_sgd",
    # rkeras.training.learning_rate_schedules
    "learning_rate_schedule_cosine_decay", "learning_rate_schedule_cosine_decay_restarts",
    "learning_rate_schedule_exponential_decay", "learning_rate_schedule_inverse_time_decay",
    "learning_rate_schedule_piecewise_constant_decay", "learning_rate_schedule_polynomial_decay",
    # rkeras.training.losses
    "loss_binary_crossentropy", "loss_binary_focal_crossentropy", "loss_categorical_crossentropy",
    "loss_categorical_focal_crossentropy", "loss_categorical_hinge", "loss_cosine_similarity", "loss_hinge",
    "loss_huber", "loss_kl_divergence", "loss_log_cosh", "loss_mean_absolute_error",
    "loss_mean_absolute_percentage_error", "loss_mean_squared_error", "loss_mean_squared_logarithmic_error",
    "loss_poisson", "loss_sparse_categorical_crossentropy", "loss_squared_hinge",
    # rkeras.training.metrics
    "metric_accuracy", "metric_auc", "metric_binary_accuracy", "metric_binary_crossentropy",
    "metric_binary_iou", "metric_categorical_accuracy", "metric_categorical_crossentropy", "metric_f1_score",
    "metric_fbeta_score", "metric_iou", "metric_mean", "metric_mean_absolute_error", "metric_mean_iou",
    "metric_mean_squared_error", "metric_one_hot_iou", "metric_one_hot_mean_iou", "metric_precision",
    "metric_r2_score", "metric_recall", "metric_root_mean_squared_error",
    "metric_sparse_categorical_accuracy", "metric_sparse_categorical_crossentropy",
    "metric_sparse_top_k_categorical_accuracy", "metric_top_k_categorical_accuracy",
    # rkeras.training.callbacks
    "callback_csv_logger", "callback_early_stopping", "callback_history", "callback_lambda",
    "callback_learning_rate_scheduler", "callback_progbar_logger", "callback_reduce_lr_on_plateau",
    "callback_terminate_on_nan",
    # rkeras.training.checkpoint_callbacks
    "callback_backup_and_restore", "callback_model_checkpoint",
    # rkeras.api.saving
    "clone_model", "deserialize_keras_object", "load_model", "load_model_config", "load_model_weights",
    "register_keras_serializable", "save_model", "save_model_config", "save_model_weights",
    "serialize_keras_object",
    # rkeras.training.history
    "as_data_frame", "plot",
    # rkeras.datasets
    "dataset_digits",
    # rkeras.distribute.data_parallel
    "distribution_data_parallel", "set_distribution",
    # rkeras.ops.math
    "op_abs", "op_add", "op_angle", "op_arccos", "op_arccosh", "op_arcsin", "op_arcsinh", "op_arctan",
    "op_arctan2", "op_arctanh", "op_bitwise_and", "op_bitwise_invert", "op_bitwise_left_shift",
    "op_bitwise_not", "op_bitwise_or", "op_bitwise_right_shift", "op_bitwise_xor", "op_cbrt", "op_ceil",
    "op_clip", "op_conj", "op_copy", "op_cos", "op_cosh", "op_deg2rad", "op_divide", "op_divide_no_nan",
    "op_equal", "op_erf", "op_erfinv", "op_exp", "op_exp2", "op_expm1", "op_floor", "op_floor_divide",
    "op_greater", "op_greater_equal", "op_heaviside", "op_imag", "op_isclose", "op_isfinite", "op_isinf",
    "op_isnan", "op_left_shift", "op_less", "op_less_equal", "op_log", "op_log1p", "op_log2", "op_log10",
    "op_logaddexp", "op_logical_and", "op_logical_not", "op_logical_or", "op_logical_xor", "op_maximum",
    "op_minimum", "op_mod", "op_multiply", "op_nan_to_num", "op_negative", "op_not_equal", "op_pmax",
    "op_pmin", "op_power", "op_real", "op_reciprocal", "op_right_shift", "op_round", "op_rsqrt", "op_select",
    "op_sign", "op_signbit", "op_sin", "op_sinh", "op_sqrt", "op_square", "op_subtract", "op_tan", "op_tanh",
    "op_trunc", "op_where",
    # rkeras.ops.reductions
    "op_all", "op_any", "op_argmax", "op_argmin", "op_average", "op_count_nonzero", "op_cumprod",
    "op_cumsum", "op_logsumexp", "op_max", "op_mean", "op_median", "op_min", "op_moments", "op_prod",
    "op_quantile", "op_std", "op_sum", "op_var",
    # rkeras.ops.shape
    "op_append", "op_argsort", "op_bincount", "op_broadcast_to", "op_concatenate", "op_diag", "op_diagflat",
    "op_diagonal", "op_diff", "op_digitize", "op_expand_dims", "op_extract_sequences", "op_flip",
    "op_get_item", "op_histogram", "op_hstack", "op_meshgrid", "op_moveaxis", "op_ndim", "op_pad",
    "op_ravel", "op_repeat", "op_reshape", "op_roll", "op_rot90", "op_searchsorted", "op_shape", "op_size",
    "op_slice", "op_slice_update", "op_sort", "op_split", "op_squeeze", "op_stack", "op_swapaxes", "op_take",
    "op_take_along_axis", "op_tile", "op_top_k", "op_trace", "op_transpose", "op_tril", "op_triu",
    "op_unstack", "op_vstack",
    # rkeras.ops.linalg
    "op_cholesky", "op_corrcoef", "op_cross", "op_det", "op_dot", "op_eig", "op_eigh", "op_einsum",
    "op_inner", "op_inv", "op_logdet", "op_lstsq", "op_matmul", "op_norm", "op_normalize", "op_outer",
    "op_qr", "op_slogdet", "op_solve", "op_solve_triangular", "op_svd", "op_tensordot", "op_vdot",
    # rkeras.ops.nn
    "op_batch_normalization", "op_binary_crossentropy", "op_categorical_crossentropy", "op_celu",
    "op_dot_product_attention", "op_elu", "op_gelu", "op_glu", "op_hard_shrink", "op_hard_sigmoid",
    "op_hard_silu", "op_hard_swish", "op_hard_tanh", "op_layer_normalization", "op_leaky_relu",
    "op_log_sigmoid", "op_log_softmax", "op_multi_hot", "op_one_hot", "op_psnr", "op_relu", "op_relu6",
    "op_rms_normalization", "op_selu", "op_sigmoid", "op_silu", "op_soft_shrink", "op_softmax",
    "op_softplus", "op_softsign", "op_sparse_categorical_crossentropy", "op_sparse_plus",
    "op_sparse_sigmoid", "op_sparsemax", "op_squareplus", "op_tanh_shrink", "op_threshold",
    # rkeras.ops.creation
    "op_arange", "op_bartlett", "op_blackman", "op_empty", "op_eye", "op_full", "op_full_like", "op_hamming",
    "op_hanning", "op_identity", "op_kaiser", "op_linspace", "op_logspace", "op_ones", "op_ones_like",
    "op_tri", "op_zeros", "op_zeros_like",
    # rkeras.ops.core
    "array_reshape", "op_array", "op_cast", "op_cond", "op_convert_to_array", "op_convert_to_numpy",
    "op_convert_to_tensor", "op_custom_gradient", "op_dtype", "op_fori_loop", "op_is_tensor", "op_map",
    "op_saturate_cast", "op_scan", "op_stop_gradient", "op_vectorized_map", "op_while_loop", "shape",
    # rkeras.ops.random
    "random_beta", "random_binomial", "random_categorical", "random_dropout", "random_gamma",
    "random_integer", "random_normal", "random_seed_generator", "random_shuffle", "random_truncated_normal",
    "random_uniform",
    # rkeras.api.custom
    "Callback", "Loss", "Metric", "layer_lambda", "new_callback_class", "new_layer_class", "new_loss_class",
    "new_metric_class", "new_model_class",
]


def clear_session() -> None:
    """Reset the default layer names (`dense`, `dense_1`, ...) as R keras3's `clear_session()`."""
    _reset_names()
