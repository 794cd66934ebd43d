package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

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
public final class Word2VecEmbedding extends SavingEmbeddingMethod {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return UserEmbedder.WORD2VEC;
    }

    @Override
    public Dataset<Row> transform(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        return userVectors(texts, Tokens.add(texts).select("user_id", "tokens"), Word2VecModel.load(modelDir + "/word2vec"));
    }

    /** Saves the Word2Vec model (vocabulary and vectors) as {@code modelDir/word2vec}. */
    @Override
    protected Dataset<Row> fit(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        Dataset<Row> sentences = Tokens.add(texts).select("user_id", "tokens");
        Word2VecModel model = new Word2Vec().setInputCol("tokens").setVectorSize(options.dim())
                .setMinCount(options.minCount()).setMaxIter(options.maxIter()).setSeed(options.seed()).fit(sentences);
        if (modelDir != null) save(model, modelDir + "/word2vec");
        return userVectors(texts, sentences, model);
    }

    private static Dataset<Row> userVectors(Dataset<Row> texts, Dataset<Row> sentences, Word2VecModel model) {
        Dataset<Row> vectors = model.getVectors(); // (word, vector), vocabulary-sized
        Dataset<Row> tokens = sentences.select(col("user_id"), explode(col("tokens")).as("word"));
        Dataset<Row> known = tokens.join(broadcast(vectors), "word")
                .groupBy("user_id").agg(Summarizer.mean(col("vector")).as("embedding"));
        Dataset<Row> users = texts.select("user_id").distinct();
        // users without a known token keep a null embedding, which UserEmbedder turns into zeros
        return users.join(known, "user_id", "left").select("user_id", "embedding");
    }
}
