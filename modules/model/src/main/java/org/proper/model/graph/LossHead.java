package org.proper.model.graph;

import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.proper.model.kernel.RowGather;
import org.proper.model.lm.GraphBuilder;
import org.proper.model.lm.LogSoftmax;

/**
 * The LM head at the head rows and the loss: logits [M,V] only where they are read (Batch.headRows), each row's
 * answer-token cross-entropy, their weighted sum, plus the group stage's diversity and balance terms.
 */
final class LossHead {
    private LossHead() {
    }

    /**
     * Builds {@link ModelGraph#LOGITS}, {@link ModelGraph#TOKEN_LOSS}, {@link ModelGraph#CE}, {@link ModelGraph#DIV},
     * {@link ModelGraph#BAL} and the loss {@link ModelGraph#LOSS} from the final hidden states hf [N,d] (or [B·A,d])
     * and the head's weight [V,d]; headSelect picks the head rows, targets [M] and weights [M] are theirs.
     */
    static void build(GraphBuilder gb, GraphSpec spec, SDVariable hf, SDVariable head, SDVariable headSelect, SDVariable targets,
                      SDVariable weights, List<SDVariable> diversityTerms, List<SDVariable> balanceTerms) {
        SameDiff sd = gb.sd();
        // the head only where logits are used (Batch.headRows: the loss positions in training): no other position's
        // logits reach the loss, and [N,V] would dominate the step (and its memory) for a real vocabulary
        // (RowGather, or a two-way dynamic_partition, whose backward is one op; ND4J's gather's would be a chain that
        // fails on these shapes)
        SDVariable hm = gb.javaRows() ? RowGather.rows(sd, hf, headSelect)                                 // [M,d] in row order
                : sd.dynamicPartition(hf, headSelect, 2)[1];
        SDVariable logits = sd.mmul(ModelGraph.LOGITS, hm, head, false, true, false);                      // [M,V]
        // CE = logsumexp(logits) − logit[target]; written out because sparseSoftmaxCrossEntropy's backprop ignores
        // the incoming gradient (it would train padded and prompt positions too)
        SDVariable oneHot = sd.oneHot(targets, gb.config().vocabSize(), -1, 1.0, 0.0, gb.dataType());    // [M,V]
        SDVariable ce = LogSoftmax.logSumExp(sd, logits, 1, gb.closedForms()).sub(logits.mul(oneHot).sum(1)); // [M]
        SDVariable tokenLoss = ce.rename(ModelGraph.TOKEN_LOSS);                                           // [M]
        SDVariable ceLoss = tokenLoss.mul(weights).sum().rename(ModelGraph.CE);                            // scalar
        SDVariable loss = ceLoss.mul(1.0);
        if (!diversityTerms.isEmpty()) {
            SDVariable div = sum(diversityTerms).div(diversityTerms.size()).rename(ModelGraph.DIV);
            if (spec.lambdaDiv() > 0) loss = loss.add(div.mul(spec.lambdaDiv()));
        }
        if (!balanceTerms.isEmpty()) {
            SDVariable bal = sum(balanceTerms).div(balanceTerms.size()).rename(ModelGraph.BAL);
            if (spec.lambdaBal() > 0) loss = loss.add(bal.mul(spec.lambdaBal()));
        }
        loss = loss.rename(ModelGraph.LOSS);
        sd.setLossVariables(ModelGraph.LOSS);
    }

    private static SDVariable sum(List<SDVariable> xs) {
        SDVariable s = xs.get(0);
        for (int i = 1; i < xs.size(); i++) s = s.add(xs.get(i));
        return s;
    }
}
