package io.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventbus.rabbitmq.RabbitDeadLetters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "export",
    description = {
      "Write parked events, with their headers and data, to a file as JSON lines; they stay"
          + " parked. The file is readable by its owner only: it holds event data.",
      "Each line has the fields of `show --json --headers`, and `data` (the body as JSON) or"
          + " `dataBase64` (a body that is not JSON)."
    })
final class ExportCommand extends BrokerCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", paramLabel = "SUBSCRIPTION", description = "The subscription's name.")
  String subscription;

  @Mixin Selection selection;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      required = true,
      description = "The file to write.")
  Path file;

  @Option(names = "--force", description = "Replace FILE if it exists.")
  boolean force;

  @Override
  int run(Session session, Output output) {
    if (Files.exists(file) && !force) {
      throw new CliException(ExitCodes.USAGE, file + " exists; use --force to replace it");
    }
    RabbitDeadLetters parked = session.deadLetters(subscription);
    Path directory = file.toAbsolutePath().getParent();
    Path partial;
    int exported;
    try {
      partial =
          Files.createTempFile(
              directory,
              ".eventbus-export-",
              ".part",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (Writer writer = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
        exported =
            parked.export(
                selection.predicate(clock),
                (event, body) -> {
                  Map<String, Object> line = ParkedEvents.json(event, true);
                  JsonNode data = jsonOrNull(body);
                  if (data != null) {
                    line.put("data", data);
                  } else {
                    line.put("dataBase64", Base64.getEncoder().encodeToString(body));
                  }
                  try {
                    writer.write(JSON.writeValueAsString(line));
                    writer.write('\n');
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      }
      if (exported == 0) {
        Files.delete(partial);
      } else if (force) {
        Files.move(
            partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (FileAlreadyExistsException e) {
      throw new CliException(ExitCodes.USAGE, file + " exists; use --force to replace it");
    } catch (IOException | UncheckedIOException e) {
      throw new CliException(ExitCodes.SOFTWARE, "Cannot write " + file + ": " + e.getMessage());
    }
    if (output.json()) {
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("subscription", subscription);
      summary.put("exported", exported);
      summary.put("file", exported == 0 ? null : file.toString());
      output.jsonLine(summary);
    } else {
      output.note(
          exported == 0
              ? "No parked event in " + parked.queue() + " matches; no file written."
              : "Exported "
                  + Output.events(exported)
                  + " from "
                  + parked.queue()
                  + " to "
                  + file
                  + ".");
    }
    return exported == 0 ? ExitCodes.NOTHING_MATCHED : ExitCodes.OK;
  }

  private static JsonNode jsonOrNull(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      return node == null || node.isMissingNode() ? null : node;
    } catch (IOException e) {
      return null;
    }
  }
}
