package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.Word2Vec;
import org.apache.spark.ml.feature.Word2VecModel;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * "word2vec": MLlib Word2Vec (skip-gram) trained on every text as a sentence; a user's embedding is the mean vector of
 * all its in-vocabulary tokens. The vocabulary (tokens seen ≥ minCount times) and its vectors are on the driver and
 * broadcast; per-user rows never are. Users none of whose tokens are in the vocabulary get a zero vector.
 */
public final class Word2VecEmbedding implements EmbeddingMethod {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return UserEmbedder.WORD2VEC;
    }

    @Override
    public Dataset<Row> embed(Dataset<Row> texts, EmbedOptions options) {
        return embed(texts, options, null);
    }

    /**
     * Saves the Word2VecModel (tokens → embedding) as a PipelineModel under modelDir when it is not null. Its transform
     * is the sum of a row's in-vocabulary vectors divided by the row's token count: the mean used here up to a positive
     * factor, which the L2 normalisation removes.
     */
    @Override
    public Dataset<Row> embed(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        Dataset<Row> sentences = Tokens.add(texts).select("user_id", "tokens");
        Word2VecModel model = new Word2Vec().setInputCol("tokens").setVectorSize(options.dim())
                .setMinCount(options.minCount()).setMaxIter(options.maxIter()).setSeed(options.seed()).fit(sentences);
        if (modelDir != null) {
            Word2VecModel forProfiles = model.copy(new org.apache.spark.ml.param.ParamMap()).setOutputCol("embedding");
            ProfileEmbedder.save(new Pipeline().setStages(new PipelineStage[]{forProfiles}).fit(sentences), modelDir);
        }
        Dataset<Row> vectors = model.getVectors(); // (word, vector), vocabulary-sized
        Dataset<Row> tokens = sentences.select(col("user_id"), explode(col("tokens")).as("word"));
        Dataset<Row> known = tokens.join(broadcast(vectors), "word")
                .groupBy("user_id").agg(Summarizer.mean(col("vector")).as("embedding"));
        Dataset<Row> users = texts.select("user_id").distinct();
        // users without a known token keep a null embedding, which UserEmbedder turns into zeros
        return users.join(known, "user_id", "left").select("user_id", "embedding");
    }
}
