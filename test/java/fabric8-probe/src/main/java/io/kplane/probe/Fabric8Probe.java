package io.kplane.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A fabric8 client of one logical cluster, for kplane's integration tests. Given a kubeconfig, a
 * namespace and a ConfigMap name, it prints JSON lines on stdout: the namespaces it lists, "watching"
 * once its ConfigMap watch (fabric8's default: over WebSocket) is open, then each watch event, and
 * exits 0 after the DELETED event of that ConfigMap (1 on a closed watch, 2 on a timeout).
 */
public final class Fabric8Probe {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static synchronized void emit(Map<String, Object> line) {
    try {
      System.out.println(JSON.writeValueAsString(line));
      System.out.flush();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> line(String type) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    return m;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: Fabric8Probe KUBECONFIG NAMESPACE CONFIGMAP");
      System.exit(64);
    }
    String namespace = args[1];
    String until = args[2];
    Config config = Config.fromKubeconfig(new File(args[0]));
    int code;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      List<String> names = client.namespaces().list().getItems().stream()
          .map((Namespace n) -> n.getMetadata().getName()).sorted().toList();
      Map<String, Object> ns = line("namespaces");
      ns.put("items", names);
      emit(ns);

      CountDownLatch done = new CountDownLatch(1);
      int[] exit = {2};
      Watch watch = client.configMaps().inNamespace(namespace).watch(new Watcher<ConfigMap>() {
        @Override
        public void eventReceived(Action action, ConfigMap cm) {
          Map<String, Object> e = line("event");
          e.put("action", action.name());
          e.put("name", cm.getMetadata().getName());
          e.put("resourceVersion", cm.getMetadata().getResourceVersion());
          e.put("data", cm.getData());
          emit(e);
          if (action == Action.DELETED && until.equals(cm.getMetadata().getName())) {
            exit[0] = 0;
            done.countDown();
          }
        }

        @Override
        public void onClose(WatcherException cause) {
          Map<String, Object> e = line("closed");
          e.put("message", cause == null ? null : cause.getMessage());
          emit(e);
          exit[0] = 1;
          done.countDown();
        }
      });
      // WatchConnectionManager watches over WebSocket, WatchHTTPManager over a chunked response
      Map<String, Object> w = line("watching");
      w.put("watch", watch.getClass().getSimpleName());
      emit(w);
      done.await(60, TimeUnit.SECONDS);
      watch.close();
      code = exit[0];
    }
    System.exit(code);
  }
}
