package org.proper.model.train;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.proper.model.Fixtures;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserOptions;

/** Users of the real kafka-titles data set (../shared/data; skipped where absent): batched user training on real text. */
class RealDataTest {
    static List<UserData> kafkaUsers(int n, int perUser) throws IOException {
        String dir = System.getProperty("proper.shared.data");
        Path f = dir == null ? null : Path.of(dir, "kafka-titles", "dev_questions.json");
        assumeTrue(f != null && Files.exists(f), "kafka-titles not found under proper.shared.data=" + dir + ": skipping real-data test");
        JsonNode qs = new ObjectMapper().readTree(f.toFile());
        List<UserData> out = new ArrayList<>();
        for (JsonNode q : qs) {
            JsonNode prof = q.get("profile");
            if (prof.size() < perUser) continue;
            String uid = q.get("user_id").asText();
            List<Example> ex = new ArrayList<>();
            for (int i = 0; i < perUser; i++) {
                String text = prof.get(i).get("text").asText(), title = prof.get(i).get("title").asText();
                ex.add(Example.of(Fixtures.TOK, uid, "msg: " + text.substring(0, Math.min(40, text.length())) + "\ntitle:",
                        title.substring(0, Math.min(24, title.length()))));
            }
            out.add(new UserData(uid, Fixtures.emb(out.size() % 3, 0.1), ex, List.of()));
            if (out.size() == n) break;
        }
        assumeTrue(out.size() == n, "kafka-titles has fewer than " + n + " users with " + perUser + " profile items");
        return out;
    }

    @Test
    void realUsersTrainBatchedLikeOneByOneAndTheirLossFalls() throws IOException {
        List<UserData> users = kafkaUsers(3, 4);
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 41);
        GroupExperts ge = UserTrainerTest.experts(base);
        TrainOptions o = TrainOptions.defaults().withSteps(10).withBatchSize(4).withLr(1e-2);
        List<UserTrainer.UserResult> b = UserTrainer.trainBatched(base, ge, users, UserOptions.defaults(), o);
        List<UserTrainer.UserResult> s = UserTrainer.trainOneByOne(base, ge, users, UserOptions.defaults(), o);
        for (int u = 0; u < users.size(); u++) {
            assertTrue(UserTrainerTest.maxDiff(b.get(u).adapter(), s.get(u).adapter()) <= 1e-4, users.get(u).userId());
            List<Double> l = b.get(u).loss();
            assertTrue(l.get(l.size() - 1) < l.get(0), users.get(u).userId() + " loss " + l);
        }
    }
}
