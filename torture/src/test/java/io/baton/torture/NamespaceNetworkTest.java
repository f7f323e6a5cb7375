package io.baton.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class NamespaceNetworkTest {
  /*
   * "iptables -L INPUT -v -x -n" inside n1's namespace with the delay proxy: one grudge n2 -> n1 is
   * three rules (the peer's own address, its proxy source address, and conntrack for connections n1
   * opened to n2), and loss rules add the statistic match.
   */
  private static final String LISTING =
      """
      Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
          pkts      bytes target     prot opt in     out     source               destination
             0        0 DROP       0    --  *      *       10.77.31.2           0.0.0.0/0            /* n2->n1 blocked */
            17     1020 DROP       0    --  *      *       10.77.31.102         0.0.0.0/0            /* n2->n1 blocked */
             4      240 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0            ctorigdst 10.77.31.2 /* n2->n1 blocked */
             9      540 DROP       0    --  *      *       10.77.31.103         0.0.0.0/0            statistic mode random probability 0.30000000009 /* n3->n1 random loss */
             1       60 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0
      """;

  @Test
  void dropCounters_sumEveryRuleOfALink_byItsComment() {
    Map<String, Long> counters = new LinkedHashMap<>();
    NamespaceNetwork.addDropCounters(LISTING, counters);
    assertThat(counters)
        .containsExactly(Map.entry("n2->n1 blocked", 21L), Map.entry("n3->n1 random loss", 9L));
  }
}
