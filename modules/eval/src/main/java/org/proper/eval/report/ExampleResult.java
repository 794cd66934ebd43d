package org.proper.eval.report;

import java.io.Serializable;

/**
 * One scored query: a method's prediction for a user's held-out example.
 *
 * @param method        method name (see {@link Methods})
 * @param userId        the user
 * @param profileLength the user's number of training profile items (decides its {@link ProfileBucket})
 * @param gold          the gold answer
 * @param prediction    the method's answer (null is read as the empty answer)
 */
public record ExampleResult(String method, String userId, long profileLength, String gold, String prediction)
        implements Serializable {
    public ExampleResult {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("Cannot create example result: method is blank");
        }
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("Cannot create example result of method '" + method + "': user_id is blank");
        }
        if (profileLength < 0) {
            throw new IllegalArgumentException("Cannot create example result of user '" + userId
                    + "': profile length is negative: " + profileLength);
        }
        if (gold == null) {
            throw new IllegalArgumentException("Cannot create example result of user '" + userId + "': gold is null");
        }
    }

    public ProfileBucket bucket() {
        return ProfileBucket.of(profileLength);
    }
}
