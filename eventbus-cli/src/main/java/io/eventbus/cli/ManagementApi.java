package io.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The few calls to RabbitMQ's management HTTP API that {@code list} makes: the queues of a virtual
 * host with their figures. Only used when {@code --management-url} is given; AMQP itself cannot
 * list queues.
 */
final class ManagementApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One queue as the management API describes it. */
  record Queue(
      String name,
      String type,
      long messages,
      long ready,
      long unacknowledged,
      long consumers,
      @Nullable Instant headMessageTimestamp) {}

  private final URI base;
  private final String authorization;
  private final HttpClient http;
  private final Duration timeout;

  ManagementApi(
      URI base, String username, String password, Duration timeout, @Nullable SSLContext tls) {
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.http = builder.build();
    this.timeout = timeout;
  }

  /** Every queue of {@code virtualHost}. */
  List<Queue> queues(String virtualHost) {
    URI uri =
        base.resolve(
            "api/queues/"
                + URLEncoder.encode(virtualHost, StandardCharsets.UTF_8).replace("+", "%20")
                + "?columns=name,type,messages,messages_ready,messages_unacknowledged,consumers,"
                + "head_message_timestamp");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Authorization", authorization)
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.CONNECTION,
          "The management API at "
              + base
              + " cannot be reached: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.CONNECTION, "Interrupted while asking " + base);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new CliException(
          ExitCodes.CONNECTION,
          "The management API at "
              + base
              + " refused the credentials: HTTP "
              + response.statusCode());
    }
    if (response.statusCode() == 404) {
      throw new CliException(
          ExitCodes.CONNECTION,
          "The management API at " + base + " knows no virtual host " + virtualHost);
    }
    if (response.statusCode() / 100 != 2) {
      throw new CliException(
          ExitCodes.CONNECTION,
          "The management API at " + base + " answered HTTP " + response.statusCode());
    }
    try {
      List<Queue> queues = new ArrayList<>();
      for (JsonNode queue : JSON.readTree(response.body())) {
        queues.add(
            new Queue(
                queue.path("name").asText(),
                queue.path("type").asText("classic"),
                queue.path("messages").asLong(0),
                queue.path("messages_ready").asLong(0),
                queue.path("messages_unacknowledged").asLong(0),
                queue.path("consumers").asLong(0),
                timestamp(queue.get("head_message_timestamp"))));
      }
      return queues;
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.CONNECTION, "The management API at " + base + " answered something not JSON");
    }
  }

  /** The head message's AMQP timestamp, in seconds since the epoch; null where there is none. */
  private static @Nullable Instant timestamp(@Nullable JsonNode value) {
    return value == null || !value.canConvertToLong()
        ? null
        : Instant.ofEpochSecond(value.asLong());
  }
}
