package org.proper.model.train;

import java.io.Serializable;
import java.util.List;

import org.proper.model.lm.Example;

/** One user's inputs to the user stage: preference embedding e_u, training and (optional) dev examples. */
public record UserData(String userId, float[] embedding, List<Example> train, List<Example> dev) implements Serializable {
    public UserData {
        if (userId == null) throw new IllegalArgumentException("Cannot train user: userId is null");
        if (train == null || train.isEmpty()) throw new IllegalArgumentException("Cannot train user " + userId + ": no training examples");
        train = List.copyOf(train);
        dev = dev == null ? List.of() : List.copyOf(dev);
    }
}
