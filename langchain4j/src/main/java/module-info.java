/**
 * langchain4j models backed by VectorLM, in process: {@code VectorLmLanguageModel},
 * {@code VectorLmStreamingLanguageModel}, {@code VectorLmChatModel},
 * {@code VectorLmStreamingChatModel} and a token count estimator. Models come through
 * {@link io.github.vectorlm.generation.ModelLoader} services: put {@code vectorlm-gpt2-model} or
 * {@code vectorlm-neox-model} beside this module.
 */
module io.github.vectorlm.langchain4j {
    requires transitive io.github.vectorlm.generation;
    // langchain4j-core 1.19 has no module descriptor and no Automatic-Module-Name: this is the
    // name the JDK derives from its jar, langchain4j-core-1.19.0.jar
    requires transitive langchain4j.core;
    // langchain4j.core logs through SLF4J but, being an automatic module, cannot say so: required
    // here so that SLF4J's module is in the graph when an application runs from the module path
    requires org.slf4j;

    exports io.github.vectorlm.langchain4j;
}
