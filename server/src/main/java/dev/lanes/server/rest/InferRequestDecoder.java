package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.CheckedInputs;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.tensor.BytesElements;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.runtime.tensor.Shapes;
import dev.lanes.runtime.tensor.Tensor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Decodes a V2 REST inference request, JSON or with the binary tensor data extension, checking
 * each input against the model's signature as soon as its name, datatype and shape are known and
 * before any buffer is allocated for it. Data is streamed into pooled direct buffers.
 *
 * <p>One instance per server; thread-safe. On any error every buffer already leased is released.
 *
 * <p>Longer than most classes (about 430 lines) because it is one streaming pass over a
 * grammar: the request object, its parameters, each input object (whose fields may come in any
 * order, so data may arrive before the shape it needs) and the binary section all share the
 * leases taken so far and must release them in one place; the element-level JSON reading lives
 * apart in {@link JsonTensorData}.
 */
final class InferRequestDecoder {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // FastDoubleParser: tensor data in JSON is mostly numbers (RestDecodeBenchmark)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
    private static final int COPY_CHUNK = 64 * 1024;
    /** Copy chunks kept for reuse; beyond this many concurrent decodes, extra ones are garbage. */
    private static final int SCRATCH_KEPT = 64;

    private final DirectBufferPool pool;
    private final long maxTensorElements;
    /** The most a body may carry (the request size limit): what data may claim when no Content-Length says. */
    private final long maxBodyBytes;
    /** Heap chunks the binary section passes through on its way into direct buffers, reused. */
    private final ArrayBlockingQueue<byte[]> scratch = new ArrayBlockingQueue<>(SCRATCH_KEPT);

    InferRequestDecoder(DirectBufferPool pool, long maxTensorElements, long maxBodyBytes) {
        this.pool = pool;
        this.maxTensorElements = maxTensorElements;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * @param body          the request body, already bounded in size
     * @param headerLength  the Inference-Header-Content-Length value, or -1 for a JSON-only body
     * @param bodyLength    the Content-Length, or -1 when chunked; caps what data may claim, and
     *                      without it the request size limit does, before anything is allocated
     */
    InferRequest decode(InputStream body, long headerLength, long bodyLength, ModelSignature signature)
            throws IOException {
        List<PendingInput> inputs = new ArrayList<>();
        try {
            Header header;
            if (headerLength < 0) {
                header = parseHeader(body, signature, inputs, bodyLength >= 0 ? bodyLength : maxBodyBytes);
                for (PendingInput input : inputs) {
                    if (input.binarySize >= 0) {
                        throw InferenceException.invalidInput("input '%s' has binary_data_size, but binary data needs "
                                + "the Inference-Header-Content-Length header", input.name);
                    }
                }
            } else {
                byte[] json = body.readNBytes(Math.toIntExact(headerLength));
                if (json.length != headerLength) {
                    throw InferenceException.invalidInput(
                            "Inference-Header-Content-Length is %d but the body has only %d bytes", headerLength, json.length);
                }
                long binaryLength = bodyLength < 0 ? -1 : bodyLength - headerLength;
                long binaryBudget = binaryLength >= 0 ? binaryLength : maxBodyBytes - headerLength;
                header = parseHeader(new ByteArrayInputStream(json), signature, inputs, binaryBudget);
                long claimed = 0;
                for (PendingInput input : inputs) {
                    claimed += Math.max(0, input.binarySize); // each at most 2^63-1: two cannot wrap past the check below
                    if (claimed > binaryBudget) {
                        break;
                    }
                }
                if (binaryLength >= 0 && claimed != binaryLength) {
                    throw InferenceException.invalidInput(
                            "the inputs' binary_data_size add up to %d bytes but the body has %d after the header",
                            claimed, binaryLength);
                }
                if (claimed > binaryBudget) {
                    // Checked before any buffer is allocated for them: a chunked body of a few
                    // bytes must not make the node reserve what its sizes claim.
                    throw InferenceException.tooLarge("the inputs' binary_data_size add up to more than %d bytes, "
                            + "what a request may still carry after its header", binaryBudget);
                }
                readBinarySection(body, inputs);
            }
            List<Tensor> tensors = new ArrayList<>(inputs.size());
            for (PendingInput input : inputs) {
                tensors.add(input.tensor());
            }
            CheckedInputs checked = signature.order(tensors); // each was checked as its header was read
            return new InferRequest(header.id, checked, header.outputs, header.timeoutMicros, header.binaryOutputs,
                    header.cacheBypass);
        } catch (JsonProcessingException e) {
            inputs.forEach(PendingInput::release);
            throw InferenceException.invalidInput("malformed JSON in request: %s", JsonErrors.describe(e));
        } catch (CharConversionException e) {
            // Jackson guesses UTF-16 or UTF-32 from leading zero bytes, then fails on what follows
            inputs.forEach(PendingInput::release);
            throw InferenceException.invalidInput("the request is not JSON in UTF-8");
        } catch (IOException | RuntimeException e) {
            inputs.forEach(PendingInput::release);
            throw e;
        }
    }

    private static final class Header {
        String id;
        List<InferRequest.RequestedOutput> outputs = new ArrayList<>();
        long timeoutMicros;
        boolean binaryOutputs;
        boolean cacheBypass;
    }

    private Header parseHeader(InputStream json, ModelSignature signature, List<PendingInput> inputs,
                               long dataBudget) throws IOException {
        Header header = new Header();
        try (JsonParser parser = JSON.createParser(json)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT, "the request must be a JSON object");
            boolean sawInputs = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "id" -> {
                        expect(value, JsonToken.VALUE_STRING, "'id' must be a string");
                        header.id = parser.getText();
                    }
                    case "parameters" -> readRequestParameters(parser, header);
                    case "inputs" -> {
                        expect(value, JsonToken.START_ARRAY, "'inputs' must be an array");
                        sawInputs = true;
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            inputs.add(readInput(parser, signature, dataBudget));
                        }
                    }
                    case "outputs" -> {
                        expect(value, JsonToken.START_ARRAY, "'outputs' must be an array");
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            header.outputs.add(readOutput(parser));
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                throw InferenceException.invalidInput("malformed JSON in request");
            }
            if (!atEnd(parser)) {
                throw InferenceException.invalidInput("the request has more after its JSON object");
            }
            if (!sawInputs) {
                throw InferenceException.invalidInput("the request has no 'inputs'");
            }
        }
        return header;
    }

    private static boolean atEnd(JsonParser parser) throws IOException {
        try {
            return parser.nextToken() == null;
        } catch (JsonProcessingException e) {
            return false; // bytes after the object that are not even JSON
        }
    }

    private static void readRequestParameters(JsonParser parser, Header header) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, "'parameters' must be an object");
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "timeout" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberValue().toString().startsWith("-")) {
                        throw InferenceException.invalidInput("parameter 'timeout' must be a non-negative integer (microseconds)");
                    }
                    // Up to uint64 (Triton's type): beyond a long it means "no sooner than ever".
                    header.timeoutMicros = parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            ? Long.MAX_VALUE : parser.getLongValue();
                }
                case "binary_data_output" -> header.binaryOutputs = bool(parser, value, "binary_data_output");
                case "cache_bypass" -> header.cacheBypass = bool(parser, value, "cache_bypass");
                default -> parser.skipChildren();
            }
        }
    }

    private PendingInput readInput(JsonParser parser, ModelSignature signature, long dataBudget) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, "each of 'inputs' must be an object");
        PendingInput input = new PendingInput();
        try {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "name" -> {
                        expect(value, JsonToken.VALUE_STRING, "input 'name' must be a string");
                        input.name = parser.getText();
                    }
                    case "datatype" -> {
                        expect(value, JsonToken.VALUE_STRING, "input 'datatype' must be a string");
                        String text = parser.getText();
                        input.type = DataType.fromV2Name(text).orElseThrow(() -> InferenceException.invalidInput(
                                "input '%s' has invalid datatype '%s'", input.label(), text));
                    }
                    case "shape" -> input.shape = readShape(parser, input.label());
                    case "parameters" -> readInputParameters(parser, input);
                    case "data" -> {
                        if (input.described()) {
                            readData(parser, input, signature, dataBudget);
                        } else {
                            input.deferred = copySubtree(parser);
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (!input.described()) {
                throw InferenceException.invalidInput("input '%s' needs 'name', 'shape' and 'datatype'", input.label());
            }
            if (input.deferred != null) {
                try (JsonParser again = JSON.createParser(input.deferred)) {
                    again.nextToken();
                    readData(again, input, signature, dataBudget);
                }
            }
            if (input.binarySize >= 0) {
                if (input.data != null) {
                    throw InferenceException.invalidInput("input '%s' has both 'data' and 'binary_data_size'", input.name);
                }
                check(input, signature);
            } else if (input.data == null) {
                throw InferenceException.invalidInput("input '%s' has no 'data' and no 'binary_data_size'", input.name);
            }
            return input;
        } catch (IOException | RuntimeException e) {
            input.release();
            throw e;
        }
    }

    private static void readInputParameters(JsonParser parser, PendingInput input) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, "input 'parameters' must be an object");
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("binary_data_size")) {
                if (value != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0) {
                    throw InferenceException.invalidInput("input '%s': 'binary_data_size' must be a non-negative integer",
                            input.label());
                }
                input.binarySize = parser.getLongValue();
            } else {
                parser.skipChildren();
            }
        }
    }

    private static InferRequest.RequestedOutput readOutput(JsonParser parser) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, "each of 'outputs' must be an object");
        String name = null;
        Boolean binary = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("name")) {
                expect(value, JsonToken.VALUE_STRING, "output 'name' must be a string");
                name = parser.getText();
            } else if (field.equals("parameters")) {
                expect(value, JsonToken.START_OBJECT, "output 'parameters' must be an object");
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String parameter = parser.currentName();
                    JsonToken parameterValue = parser.nextToken();
                    if (parameter.equals("binary_data")) {
                        binary = bool(parser, parameterValue, "binary_data");
                    } else if (parameter.equals("classification")) {
                        throw InferenceException.invalidInput("the classification extension is not supported");
                    } else {
                        parser.skipChildren();
                    }
                }
            } else {
                parser.skipChildren();
            }
        }
        if (name == null) {
            throw InferenceException.invalidInput("each of 'outputs' needs a 'name'");
        }
        return new InferRequest.RequestedOutput(name, binary);
    }

    private long[] readShape(JsonParser parser, String input) throws IOException {
        expect(parser.currentToken(), JsonToken.START_ARRAY, "input '" + input + "': 'shape' must be an array");
        long[] shape = new long[4];
        int rank = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT
                    || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw InferenceException.invalidInput("input '%s': 'shape' must hold integers", input);
            }
            if (rank == 64) {
                throw InferenceException.invalidInput("input '%s': 'shape' has more than 64 dimensions", input);
            }
            if (rank == shape.length) {
                shape = Arrays.copyOf(shape, rank * 2);
            }
            shape[rank++] = parser.getLongValue();
        }
        return Arrays.copyOf(shape, rank);
    }

    /** Checks the input and its size before anything is allocated for it. */
    private long check(PendingInput input, ModelSignature signature) {
        long count = Shapes.elementCount(input.name, input.shape, maxTensorElements);
        signature.checkInput(input.name, input.type, input.shape);
        return count;
    }

    private void readData(JsonParser parser, PendingInput input, ModelSignature signature, long dataBudget)
            throws IOException {
        if (input.data != null) {
            throw InferenceException.invalidInput("input '%s' has 'data' twice", input.name);
        }
        long count = check(input, signature);
        if (input.type == DataType.BYTES) {
            ByteBuffer bytes = JsonTensorData.readBytes(parser, input.name, count);
            input.data = Tensor.of(input.name, input.type, input.shape, bytes);
            return;
        }
        // A JSON element takes at least two bytes ("0,"), so a short body cannot claim a huge shape.
        if (dataBudget >= 0 && count > dataBudget / 2 + 1) {
            throw InferenceException.invalidInput("input '%s' with shape %s needs %d elements, more than the body holds",
                    input.name, Arrays.toString(input.shape), count);
        }
        ByteBuffer buffer = pool.acquire(Math.toIntExact(count * input.type.byteSize()));
        input.data = Tensor.pooled(input.name, input.type, input.shape, buffer, pool);
        JsonTensorData.readFixed(parser, input.name, input.type, count, buffer);
    }

    private void readBinarySection(InputStream body, List<PendingInput> inputs) throws IOException {
        byte[] chunk = null;
        for (PendingInput input : inputs) {
            if (input.binarySize < 0) {
                continue;
            }
            long count = Shapes.elementCount(input.shape);
            if (input.type.isFixedSize() && input.binarySize != count * input.type.byteSize()) {
                throw InferenceException.invalidInput(
                        "input '%s' has binary_data_size %d but shape %s of %s needs %d bytes", input.name,
                        input.binarySize, Arrays.toString(input.shape), input.type,
                        count * input.type.byteSize());
            }
            ByteBuffer buffer = input.type.isFixedSize()
                    ? pool.acquire(Math.toIntExact(input.binarySize))
                    : ByteBuffer.allocate(Math.toIntExact(input.binarySize)).order(ByteOrder.nativeOrder());
            input.data = input.type.isFixedSize()
                    ? Tensor.pooled(input.name, input.type, input.shape, buffer, pool)
                    : Tensor.of(input.name, input.type, input.shape, buffer);
            if (chunk == null) {
                chunk = takeScratch();
            }
            long left = input.binarySize;
            while (left > 0) {
                int read = body.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (read < 0) {
                    throw InferenceException.invalidInput("the body ends inside the binary data of input '%s'", input.name);
                }
                buffer.put(chunk, 0, read);
                left -= read;
            }
            buffer.flip();
            if (!input.type.isFixedSize()) {
                BytesElements.checkCount(input.name, buffer, count);
            }
        }
        if (chunk != null) {
            scratch.offer(chunk);
        }
        if (body.read() >= 0) {
            throw InferenceException.invalidInput("the body has bytes after the last input's binary data");
        }
    }

    private byte[] takeScratch() {
        byte[] chunk = scratch.poll();
        return chunk != null ? chunk : new byte[COPY_CHUNK];
    }

    private static byte[] copySubtree(JsonParser parser) throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (JsonGenerator generator = JSON.createGenerator(copy)) {
            generator.copyCurrentStructure(parser);
        }
        return copy.toByteArray();
    }

    private static boolean bool(JsonParser parser, JsonToken value, String name) {
        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
            throw InferenceException.invalidInput("parameter '%s' must be true or false", name);
        }
        return value == JsonToken.VALUE_TRUE;
    }

    private static void expect(JsonToken actual, JsonToken expected, String message) {
        if (actual != expected) {
            throw InferenceException.invalidInput("%s", message);
        }
    }

    /** An input while its object is being read. */
    private static final class PendingInput {
        String name;
        DataType type;
        long[] shape;
        long binarySize = -1;
        byte[] deferred;
        Tensor data;

        boolean described() {
            return name != null && type != null && shape != null;
        }

        String label() {
            return name == null ? "?" : name;
        }

        Tensor tensor() {
            return data;
        }

        void release() {
            if (data != null) {
                data.close();
            }
        }
    }
}
