package dev.bindery.generator.rag;

import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.generator.ChatMessage;
import dev.bindery.generator.ContentPart;
import dev.bindery.generator.DeltaListener;
import dev.bindery.generator.GenerationRequest;
import dev.bindery.generator.GenerationResponse;
import dev.bindery.generator.Generator;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Answers with a vision-language model behind a {@link Generator}: the system prompt asks for
 * {@code [id]} citations (and, when asked, {@code [RET]} markers and boxes); the user message holds
 * the context items in rank order, each labelled {@code [id]} with its metadata and text within the
 * token budget ({@link ContextAssembler}) and followed by its image while the image budget lasts;
 * then the question's image, then the question. Images are downscaled and encoded by {@link
 * ContextImages}; an item image that cannot be read is left out and reported in {@link
 * ContextReport#imageProblems()}. Thread-safe if the generator is.
 */
public final class ModelAnswerer implements Answerer {

  /** The instructions every request carries. */
  public static final String SYSTEM_PROMPT =
      "You answer questions about a collection of items using only the context items given with"
          + " the question. Each context item starts with its id in square brackets, like"
          + " [item-7], followed by its metadata and text, and sometimes its image. Cite every"
          + " item you rely on by writing its id in square brackets right after the statement it"
          + " supports, for example: The poster is from 1965 [item-7]. Use only ids that appear"
          + " in the context; never invent one. If the context does not answer the question,"
          + " start your answer with \"I don't know\" and say what is missing. Be brief.";

  /** Added when the answer may show items: FROMAGe-style retrieval markers. */
  public static final String RET_PROMPT =
      " When showing the user a picture or item would help, write a short description of what"
          + " to show followed by the token [RET]; a search engine will place matching items"
          + " there. Example: Here is a red vintage car [RET].";

  /** Added when images are sent and the grounding prompt is on: Qwen-VL style boxes. */
  public static final String BOX_PROMPT =
      " To point at a region of an image, write <ref>what it is</ref><box>(x1,y1),(x2,y2)</box>"
          + " right after that image's id, with the corners on a 0 to 999 grid over the image's"
          + " width and height, top-left first.";

  private final Generator generator;
  private final RagOptions options;
  private final ContextImages images;
  private final ContextAssembler assembler;

  public ModelAnswerer(Generator generator, RagOptions options, ImageDecoder decoder) {
    this.generator = Objects.requireNonNull(generator, "generator");
    this.options = Objects.requireNonNull(options, "options");
    this.images =
        new ContextImages(
            decoder, options.sourceBaseDir(), options.imageMaxSide(), options.imageEncoding());
    this.assembler = new ContextAssembler(options.contextTokens(), options.maxItemTokens());
  }

  @Override
  public String describe() {
    return generator.describe();
  }

  @Override
  public AnswerDraft answer(AnswerInput input, DeltaListener listener) {
    Prompt prompt = prompt(input);
    GenerationRequest request =
        new GenerationRequest(
            prompt.system(),
            List.of(ChatMessage.user(prompt.parts())),
            options.answerTokens(),
            options.temperature(),
            listener != DeltaListener.NONE);
    GenerationResponse r = generator.generate(request, listener);
    String text = r.text();
    boolean abstained =
        text.strip().toLowerCase(Locale.ROOT).startsWith("i don't know")
            || text.strip().toLowerCase(Locale.ROOT).startsWith("i do not know");
    return new AnswerDraft(text, abstained, r.finishReason(), r.usage(), prompt.report());
  }

  /** A request's system prompt, user parts, and what went into them. */
  record Prompt(String system, List<ContentPart> parts, ContextReport report) {}

  /** Builds the prompt: pure apart from reading item images. */
  Prompt prompt(AnswerInput input) {
    AssembledContext ctx = assembler.assemble(input.items());
    Map<String, RetrievedItem> byId =
        input.items().stream()
            .collect(Collectors.toMap(RetrievedItem::id, Function.identity(), (a, b) -> a));
    int imageBudget = options.maxImages();
    boolean questionImage = input.questionImage() != null && imageBudget > 0;
    if (questionImage) {
      imageBudget--;
    }
    List<ContentPart> parts = new ArrayList<>();
    List<String> imageIds = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (input.questionImage() != null && !questionImage) {
      problems.add("question image: not sent, the image budget is 0");
    }
    parts.add(new ContentPart.Text("Context items:"));
    for (ContextBlock block : ctx.blocks()) {
      parts.add(new ContentPart.Text(block.text()));
      RetrievedItem item = byId.get(block.id());
      if (imageBudget > 0 && ContextImages.hasImage(item)) {
        try {
          BufferedImage img = images.load(item);
          parts.add(images.encode(img));
          imageIds.add(item.id());
          imageBudget--;
        } catch (IllegalArgumentException e) {
          problems.add("[" + item.id() + "]: " + e.getMessage());
        }
      }
    }
    if (ctx.blocks().isEmpty()) {
      parts.add(new ContentPart.Text("(no items were retrieved)"));
    }
    if (questionImage) {
      parts.add(new ContentPart.Text("The user's image:"));
      parts.add(images.encode(input.questionImage()));
    }
    parts.add(new ContentPart.Text("Question: " + input.question()));
    String system = SYSTEM_PROMPT;
    if (input.interleave()) {
      system += RET_PROMPT;
    }
    if (options.groundingPrompt() && (questionImage || !imageIds.isEmpty())) {
      system += BOX_PROMPT;
    }
    ContextReport report =
        new ContextReport(
            ctx.blocks().stream().map(ContextBlock::id).toList(),
            ctx.blocks().stream().filter(ContextBlock::truncated).map(ContextBlock::id).toList(),
            ctx.omittedIds(),
            ctx.approxTokens(),
            imageIds,
            questionImage,
            problems);
    return new Prompt(system, parts, report);
  }

  @Override
  public String toString() {
    return "ModelAnswerer[" + generator.describe() + "]";
  }
}
