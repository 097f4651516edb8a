package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.eventbus.EventMetadata;
import io.eventbus.RequestException;
import io.eventbus.RequestException.Reason;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.RequestHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Replies into the caller's class or a typed failure, with the real codec and no transport. */
class RepliesTest {
  record Checked(String id, boolean ok) {}

  private final JacksonEventCodec codec = JacksonEventCodec.create();

  private static WireMessage reply(String type, @Nullable String contentType, String json) {
    Map<String, String> headers =
        CloudEventsAttributes.toHeaders(
            new EventMetadata("reply-1", type, "test", Instant.EPOCH, null, null, Map.of()));
    return new WireMessage(json.getBytes(StandardCharsets.UTF_8), contentType, headers);
  }

  private Checked decode(WireMessage reply) {
    return Replies.decode(reply, codec, "r-1", "test.check.v1", "test.checked.v1", Checked.class);
  }

  @Test
  void aReplyOfTheExpectedTypeDecodesIntoTheCallersClassWhateverTheContentTypesParameters() {
    Checked checked =
        decode(
            reply(
                "test.checked.v1",
                " Application/JSON; charset=utf-8",
                "{\"id\":\"c-1\",\"ok\":true}"));

    assertThat(checked).isEqualTo(new Checked("c-1", true));
  }

  @Test
  void aReplyOfAnotherTypeOrContentTypeOrABrokenBodyIsNotDecodable() {
    RequestException wrongType =
        catchThrowableOfType(
            () -> decode(reply("test.other.v1", "application/json", "{}")), RequestException.class);
    RequestException wrongContent =
        catchThrowableOfType(
            () -> decode(reply("test.checked.v1", "text/plain", "{}")), RequestException.class);
    RequestException broken =
        catchThrowableOfType(
            () -> decode(reply("test.checked.v1", "application/json", "{\"id\":")),
            RequestException.class);

    assertThat(wrongType.reason()).isEqualTo(Reason.REPLY_NOT_DECODABLE);
    assertThat(wrongType.getMessage())
        .contains("The reply's type is 'test.other.v1', expected 'test.checked.v1'");
    assertThat(wrongContent.reason()).isEqualTo(Reason.REPLY_NOT_DECODABLE);
    assertThat(wrongContent.getMessage()).contains("Unsupported content type 'text/plain'");
    assertThat(broken.reason()).isEqualTo(Reason.REPLY_NOT_DECODABLE);
    assertThat(broken.requestId()).isEqualTo("r-1");
    assertThat(broken.requestType()).isEqualTo("test.check.v1");
  }

  @Test
  void anErrorReplyIsTheRespondersFailureWithItsCategoryUnlessTheHandlerFailed() {
    Map<String, String> headers =
        Map.of(
            RequestHeaders.REPLY_STATUS,
            RequestHeaders.STATUS_ERROR,
            RequestHeaders.ERROR_TYPE,
            "com.acme.OutOfStock",
            RequestHeaders.ERROR_MESSAGE,
            "none left",
            RequestHeaders.ERROR_CATEGORY,
            RequestHeaders.CATEGORY_DECODING_FAILED);
    WireMessage handlerFailed =
        new WireMessage(
            new byte[0],
            null,
            Map.of(
                RequestHeaders.REPLY_STATUS, RequestHeaders.STATUS_ERROR,
                RequestHeaders.ERROR_MESSAGE, "none left",
                RequestHeaders.ERROR_CATEGORY, RequestHeaders.CATEGORY_HANDLER_FAILED));

    RequestException decoding =
        catchThrowableOfType(
            () -> decode(new WireMessage(new byte[0], null, headers)), RequestException.class);
    RequestException handler =
        catchThrowableOfType(() -> decode(handlerFailed), RequestException.class);

    assertThat(decoding.reason()).isEqualTo(Reason.RESPONDER_FAILED);
    assertThat(decoding.remoteType()).isEqualTo("com.acme.OutOfStock");
    assertThat(decoding.remoteMessage())
        .isEqualTo("none left (" + RequestHeaders.CATEGORY_DECODING_FAILED + ")");
    assertThat(handler.remoteType()).isEqualTo("unknown");
    assertThat(handler.remoteMessage()).isEqualTo("none left");
  }

  @Test
  void aTransportsOwnRequestExceptionPassesUnwrappedAndAnythingElseIsAConnectionLoss() {
    RequestException own =
        RequestException.of("r-1", "test.check.v1", Reason.NO_RESPONDER, "nobody", null);
    IOException io = new IOException("reset");

    assertThat(Replies.failure("r-1", "test.check.v1", new CompletionException(own))).isSameAs(own);
    RequestException lost = Replies.failure("r-1", "test.check.v1", new CompletionException(io));
    assertThat(lost.reason()).isEqualTo(Reason.CONNECTION_LOST);
    assertThat(lost.getCause()).isSameAs(io);
    assertThat(Replies.failure("r-1", "test.check.v1", io).getCause()).isSameAs(io);
  }
}
