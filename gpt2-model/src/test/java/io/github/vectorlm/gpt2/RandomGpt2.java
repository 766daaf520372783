package io.github.vectorlm.gpt2;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.testing.Logits;
import io.github.vectorlm.testing.Oracles;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Random GPT-2 weights written out under each layout's names (spelled out here, independently of
 * the tables under test), and a plain double-precision forward pass over them written straight
 * from the GPT-2 equations: a second opinion for the unit tests. The real oracles are PyTorch and
 * Hugging Face, in the fixture tests.
 */
final class RandomGpt2 {
    final Gpt2Config config;
    final float[] wte;
    final float[] wpe;
    final float[] finalNormWeight;
    final float[] finalNormBias;
    final Layer[] layers;

    /** One block; matrices are [in, out] row-major; biases null without biases. */
    record Layer(float[] norm1Weight, float[] norm1Bias, float[] attention, float[] attentionBias,
            float[] attentionOutput, float[] attentionOutputBias, float[] norm2Weight, float[] norm2Bias,
            float[] mlpUp, float[] mlpUpBias, float[] mlpDown, float[] mlpDownBias) {
    }

    RandomGpt2(Gpt2Config c, long seed) {
        Random r = new Random(seed);
        int d = c.embeddingSize();
        int inner = c.innerSize();
        this.config = c;
        this.wte = gaussian(r, c.vocabSize() * d, 0, 0.3);
        this.wpe = gaussian(r, c.contextLength() * d, 0, 0.1);
        this.finalNormWeight = gaussian(r, d, 1, 0.1);
        this.finalNormBias = c.bias() ? gaussian(r, d, 0, 0.1) : null;
        this.layers = new Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Layer(gaussian(r, d, 1, 0.1), bias(r, c, d),
                    gaussian(r, d * 3 * d, 0, 1 / Math.sqrt(d)), bias(r, c, 3 * d),
                    gaussian(r, d * d, 0, 1 / Math.sqrt(d)), bias(r, c, d),
                    gaussian(r, d, 1, 0.1), bias(r, c, d),
                    gaussian(r, d * inner, 0, 1 / Math.sqrt(d)), bias(r, c, inner),
                    gaussian(r, inner * d, 0, 1 / Math.sqrt(inner)), bias(r, c, d));
        }
    }

    private RandomGpt2(RandomGpt2 from, DType dtype) {
        this.config = from.config;
        this.wte = round(from.wte, dtype);
        this.wpe = round(from.wpe, dtype);
        this.finalNormWeight = round(from.finalNormWeight, dtype);
        this.finalNormBias = round(from.finalNormBias, dtype);
        this.layers = new Layer[from.layers.length];
        for (int l = 0; l < layers.length; l++) {
            Layer x = from.layers[l];
            layers[l] = new Layer(round(x.norm1Weight, dtype), round(x.norm1Bias, dtype), round(x.attention, dtype),
                    round(x.attentionBias, dtype), round(x.attentionOutput, dtype), round(x.attentionOutputBias, dtype),
                    round(x.norm2Weight, dtype), round(x.norm2Bias, dtype), round(x.mlpUp, dtype),
                    round(x.mlpUpBias, dtype), round(x.mlpDown, dtype), round(x.mlpDownBias, dtype));
        }
    }

    /** These weights as {@code dtype} would hold them (f16 and bf16 round to nearest even). */
    RandomGpt2 roundedTo(DType dtype) {
        return new RandomGpt2(this, dtype);
    }

    private static float[] bias(Random r, Gpt2Config c, int n) {
        return c.bias() ? gaussian(r, n, 0, 0.1) : null;
    }

    private static float[] gaussian(Random r, int n, double mean, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + std * r.nextGaussian());
        }
        return v;
    }

    private static float[] round(float[] v, DType dtype) {
        if (v == null) {
            return null;
        }
        return Tensor.fromFloats(dtype, v, v.length).toFloatArray();
    }

    // ------------------------------------------------------------------ layouts, names spelled out

    /** Hugging Face GPT2LMHeadModel / GPT2Model names, Conv1D [in, out]; with the old mask buffers if asked. */
    Map<String, Tensor> huggingFace(boolean prefixed, boolean maskBuffers, DType dtype) {
        int d = config.embeddingSize();
        int inner = config.innerSize();
        String p = prefixed ? "transformer." : "";
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(p + "wte.weight", t(dtype, wte, config.vocabSize(), d));
        m.put(p + "wpe.weight", t(dtype, wpe, config.contextLength(), d));
        for (int l = 0; l < layers.length; l++) {
            Layer x = layers[l];
            String h = p + "h." + l + ".";
            m.put(h + "ln_1.weight", t(dtype, x.norm1Weight, d));
            m.put(h + "ln_1.bias", t(dtype, x.norm1Bias, d));
            if (maskBuffers) {
                int n = config.contextLength();
                m.put(h + "attn.bias", Tensor.fromFloats(new float[n * n], 1, 1, n, n));
                m.put(h + "attn.masked_bias", Tensor.fromFloats(new float[] {-1e4f}));
            }
            m.put(h + "attn.c_attn.weight", t(dtype, x.attention, d, 3 * d));
            m.put(h + "attn.c_attn.bias", t(dtype, x.attentionBias, 3 * d));
            m.put(h + "attn.c_proj.weight", t(dtype, x.attentionOutput, d, d));
            m.put(h + "attn.c_proj.bias", t(dtype, x.attentionOutputBias, d));
            m.put(h + "ln_2.weight", t(dtype, x.norm2Weight, d));
            m.put(h + "ln_2.bias", t(dtype, x.norm2Bias, d));
            m.put(h + "mlp.c_fc.weight", t(dtype, x.mlpUp, d, inner));
            m.put(h + "mlp.c_fc.bias", t(dtype, x.mlpUpBias, inner));
            m.put(h + "mlp.c_proj.weight", t(dtype, x.mlpDown, inner, d));
            m.put(h + "mlp.c_proj.bias", t(dtype, x.mlpDownBias, d));
        }
        m.put(p + "ln_f.weight", t(dtype, finalNormWeight, d));
        m.put(p + "ln_f.bias", t(dtype, finalNormBias, d));
        if (prefixed) {
            m.put("lm_head.weight", m.get("transformer.wte.weight"));
        }
        return m;
    }

    /** nanoGPT names, nn.Linear [out, in], lm_head tied, the mask buffer, biases only with bias=True. */
    Map<String, Tensor> nanoGpt(String prefix, DType dtype) {
        int d = config.embeddingSize();
        int inner = config.innerSize();
        String p = prefix + "transformer.";
        Map<String, Tensor> m = new LinkedHashMap<>();
        Tensor wteTensor = t(dtype, wte, config.vocabSize(), d);
        m.put(p + "wte.weight", wteTensor);
        m.put(p + "wpe.weight", t(dtype, wpe, config.contextLength(), d));
        for (int l = 0; l < layers.length; l++) {
            Layer x = layers[l];
            String h = p + "h." + l + ".";
            m.put(h + "ln_1.weight", t(dtype, x.norm1Weight, d));
            putBias(m, h + "ln_1.bias", dtype, x.norm1Bias);
            int n = config.contextLength();
            m.put(h + "attn.bias", Tensor.fromFloats(new float[n * n], 1, 1, n, n));
            m.put(h + "attn.c_attn.weight", t(dtype, transpose(x.attention, d, 3 * d), 3 * d, d));
            putBias(m, h + "attn.c_attn.bias", dtype, x.attentionBias);
            m.put(h + "attn.c_proj.weight", t(dtype, transpose(x.attentionOutput, d, d), d, d));
            putBias(m, h + "attn.c_proj.bias", dtype, x.attentionOutputBias);
            m.put(h + "ln_2.weight", t(dtype, x.norm2Weight, d));
            putBias(m, h + "ln_2.bias", dtype, x.norm2Bias);
            m.put(h + "mlp.c_fc.weight", t(dtype, transpose(x.mlpUp, d, inner), inner, d));
            putBias(m, h + "mlp.c_fc.bias", dtype, x.mlpUpBias);
            m.put(h + "mlp.c_proj.weight", t(dtype, transpose(x.mlpDown, inner, d), d, inner));
            putBias(m, h + "mlp.c_proj.bias", dtype, x.mlpDownBias);
        }
        m.put(p + "ln_f.weight", t(dtype, finalNormWeight, d));
        putBias(m, p + "ln_f.bias", dtype, finalNormBias);
        m.put(prefix + "lm_head.weight", wteTensor);
        return m;
    }

    /** OpenAI TensorFlow names, conv weights [1, in, out]. */
    Map<String, Tensor> openAi() {
        int d = config.embeddingSize();
        int inner = config.innerSize();
        DType f = DType.F32;
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("model/wpe", t(f, wpe, config.contextLength(), d));
        m.put("model/wte", t(f, wte, config.vocabSize(), d));
        for (int l = 0; l < layers.length; l++) {
            Layer x = layers[l];
            String h = "model/h" + l + "/";
            m.put(h + "attn/c_attn/b", t(f, x.attentionBias, 3 * d));
            m.put(h + "attn/c_attn/w", t(f, x.attention, 1, d, 3 * d));
            m.put(h + "attn/c_proj/b", t(f, x.attentionOutputBias, d));
            m.put(h + "attn/c_proj/w", t(f, x.attentionOutput, 1, d, d));
            m.put(h + "ln_1/b", t(f, x.norm1Bias, d));
            m.put(h + "ln_1/g", t(f, x.norm1Weight, d));
            m.put(h + "ln_2/b", t(f, x.norm2Bias, d));
            m.put(h + "ln_2/g", t(f, x.norm2Weight, d));
            m.put(h + "mlp/c_fc/b", t(f, x.mlpUpBias, inner));
            m.put(h + "mlp/c_fc/w", t(f, x.mlpUp, 1, d, inner));
            m.put(h + "mlp/c_proj/b", t(f, x.mlpDownBias, d));
            m.put(h + "mlp/c_proj/w", t(f, x.mlpDown, 1, inner, d));
        }
        m.put("model/ln_f/b", t(f, finalNormBias, d));
        m.put("model/ln_f/g", t(f, finalNormWeight, d));
        return m;
    }

    private static void putBias(Map<String, Tensor> m, String name, DType dtype, float[] v) {
        if (v != null) {
            m.put(name, t(dtype, v, v.length));
        }
    }

    private static Tensor t(DType dtype, float[] v, long... shape) {
        return Tensor.fromFloats(dtype, v, shape);
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }

    // ------------------------------------------------------------------ the reference forward pass

    /** Logits [T][vocab] of every position of {@code ids}, in double, from the equations. */
    double[][] referenceLogits(int[] ids) {
        int n = ids.length;
        int d = config.embeddingSize();
        int heads = config.heads();
        int hs = d / heads;
        double[][] x = new double[n][d];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < d; i++) {
                x[t][i] = wte[ids[t] * d + i] + wpe[t * d + i];
            }
        }
        for (Layer L : layers) {
            double[][] h = new double[n][];
            for (int t = 0; t < n; t++) {
                h[t] = layerNorm(x[t], L.norm1Weight, L.norm1Bias);
            }
            double[][] qkv = new double[n][];
            for (int t = 0; t < n; t++) {
                qkv[t] = affine(h[t], L.attention, L.attentionBias, d, 3 * d);
            }
            double[][] att = new double[n][d];
            for (int t = 0; t < n; t++) {
                for (int hd = 0; hd < heads; hd++) {
                    double[] p = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int i = 0; i < hs; i++) {
                            dot += qkv[t][hd * hs + i] * qkv[s][d + hd * hs + i];
                        }
                        p[s] = dot / Math.sqrt(hs);
                        max = Math.max(max, p[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        p[s] = Math.exp(p[s] - max);
                        sum += p[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int i = 0; i < hs; i++) {
                            att[t][hd * hs + i] += p[s] / sum * qkv[s][2 * d + hd * hs + i];
                        }
                    }
                }
            }
            for (int t = 0; t < n; t++) {
                add(x[t], affine(att[t], L.attentionOutput, L.attentionOutputBias, d, d));
                double[] up = affine(layerNorm(x[t], L.norm2Weight, L.norm2Bias), L.mlpUp, L.mlpUpBias, d,
                        config.innerSize());
                for (int i = 0; i < up.length; i++) {
                    up[i] = gelu(up[i]);
                }
                add(x[t], affine(up, L.mlpDown, L.mlpDownBias, config.innerSize(), d));
            }
        }
        double[][] logits = new double[n][config.vocabSize()];
        for (int t = 0; t < n; t++) {
            double[] f = layerNorm(x[t], finalNormWeight, finalNormBias);
            for (int v = 0; v < config.vocabSize(); v++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += f[i] * wte[v * d + i];
                }
                logits[t][v] = dot;
            }
        }
        return logits;
    }

    private double gelu(double v) {
        return switch (config.activation()) {
            case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            case GELU_ERF -> 0.5 * v * Oracles.erfc(-v / Math.sqrt(2));
        };
    }

    private double[] layerNorm(double[] x, float[] w, float[] b) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length;
        double inv = 1 / Math.sqrt(var + config.layerNormEpsilon());
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - mean) * inv * w[i] + (b == null ? 0 : b[i]);
        }
        return y;
    }

    private static double[] affine(double[] x, float[] w, float[] b, int in, int out) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = b == null ? 0 : b[o];
            for (int i = 0; i < in; i++) {
                s += x[i] * w[i * out + o];
            }
            y[o] = s;
        }
        return y;
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
