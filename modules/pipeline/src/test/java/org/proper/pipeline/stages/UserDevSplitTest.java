package org.proper.pipeline.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.proper.model.lm.Example;
import org.proper.model.train.UserData;
import org.proper.pipeline.train.TrainingData.Row3;

import scala.Tuple2;

class UserDevSplitTest {
    static List<Tuple2<String, Row3>> items(int n) {
        List<Tuple2<String, Row3>> out = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--)       // out of key order on purpose
            out.add(new Tuple2<>("ann\u0000item" + i, new Row3(new Example("ann", new int[]{i + 1}, new int[]{2}), new float[]{1f}, 0)));
        return out;
    }

    static Set<Integer> firstTokens(List<Example> ex) {
        Set<Integer> s = new HashSet<>();
        for (Example e : ex) s.add(e.prompt()[0]);
        return s;
    }

    @Test
    void aShareOfEachUsersItemsIsHeldOutByHashAndNoItemIsLost() {
        UserData u = UserStage.userData(items(20), 0.2, 42);
        assertEquals(16, u.train().size());
        assertEquals(4, u.dev().size());
        Set<Integer> all = firstTokens(u.train());
        all.addAll(firstTokens(u.dev()));
        assertEquals(20, all.size(), "train and dev are disjoint and cover every item");
        assertEquals(firstTokens(u.dev()), firstTokens(UserStage.userData(items(20), 0.2, 42).dev()), "same seed, same split");
        assertTrue(!firstTokens(u.dev()).equals(firstTokens(UserStage.userData(items(20), 0.2, 7).dev())), "the seed picks the items");
    }

    @Test
    void atLeastOneDevItemButNeverAllAndNoneWhenStoppingIsOff() {
        assertEquals(1, UserStage.userData(items(3), 0.1, 42).dev().size(), "at least one");
        assertEquals(0, UserStage.userData(items(1), 0.5, 42).dev().size(), "a single item stays for training");
        assertEquals(1, UserStage.userData(items(2), 0.9, 42).train().size(), "never all");
        assertEquals(0, UserStage.userData(items(20), 0.0, 42).dev().size());
        assertEquals(20, UserStage.userData(items(20), 0.0, 42).train().size());
    }
}
