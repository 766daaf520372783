package io.github.vectorlm.examples;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.language.StreamingLanguageModel;
import dev.langchain4j.model.output.Response;
import io.github.vectorlm.langchain4j.VectorLmChatModel;
import io.github.vectorlm.langchain4j.VectorLmStreamingLanguageModel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A streaming completion and a chat call through langchain4j. Run: LangChain4jStreamAndChat MODEL_FOLDER */
public class LangChain4jStreamAndChat {
    public static void main(String[] args) {
        Path folder = Path.of(args[0]); // e.g. models/gpt2-shakespeare in a VectorLM checkout
        // built from one folder, both share one loaded model and one engine: their calls batch together
        try (VectorLmStreamingLanguageModel writer = VectorLmStreamingLanguageModel.builder()
                        .modelPath(folder).temperature(0.8).topK(40).seed(42L).maxTokens(40).build();
                VectorLmChatModel chat = VectorLmChatModel.builder()
                        .modelPath(folder).temperature(0.0).maxTokens(30).build()) {
            System.out.print("ROMEO:");
            Response<String> completion = stream(writer, "ROMEO:", System.out::print);
            System.out.printf("%n[%s, %s]%n", completion.finishReason(), completion.tokenUsage());

            ChatResponse answer = chat.chat(ChatRequest.builder()
                    .messages(SystemMessage.from("You are Juliet."), UserMessage.from("Where is Romeo?"))
                    .stopSequences(List.of("\n\n"))     // besides the chat template's own "\nUser:"
                    .build());
            System.out.printf("Juliet:%s%n[%s, %s]%n", answer.aiMessage().text(), answer.finishReason(),
                    answer.tokenUsage());
        }
    }

    /** Streams the continuation of {@code prompt} to {@code out} as it is generated; returns the whole. */
    static Response<String> stream(StreamingLanguageModel model, String prompt, Consumer<String> out) {
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        model.generate(prompt, new StreamingResponseHandler<String>() {
            @Override
            public void onNext(String text) {
                out.accept(text);
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        return done.join();
    }
}
