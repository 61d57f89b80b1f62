package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

import java.io.IOException;
import java.util.List;

/**
 * Writes a protobuf message as JSON the way Triton's REST API shows model configurations: proto
 * field names, enums by name, and 64-bit integers as JSON numbers (protobuf's own JSON mapping
 * quotes them, which Triton's clients do not expect). {@link #write} shows only the fields that are
 * set; {@link #writeWithDefaults} also shows scalars, lists and maps at their defaults, as Triton's
 * statistics do ({@code "count": 0}).
 */
final class ProtoJson {
    private ProtoJson() {
    }

    static void write(JsonGenerator json, Message message) throws IOException {
        write(json, message, false);
    }

    static void writeWithDefaults(JsonGenerator json, Message message) throws IOException {
        write(json, message, true);
    }

    private static void write(JsonGenerator json, Message message, boolean defaults) throws IOException {
        json.writeStartObject();
        for (FieldDescriptor descriptor : message.getDescriptorForType().getFields()) {
            boolean present = descriptor.isRepeated()
                    ? message.getRepeatedFieldCount(descriptor) > 0
                    : message.hasField(descriptor);
            // An unset sub-message has no meaningful default to show, even with defaults on.
            boolean shown = present || (defaults && (descriptor.isRepeated()
                    || descriptor.getJavaType() != FieldDescriptor.JavaType.MESSAGE));
            if (!shown) {
                continue;
            }
            Object fieldValue = message.getField(descriptor);
            json.writeFieldName(descriptor.getName());
            if (descriptor.isMapField()) {
                writeMap(json, descriptor, (List<?>) fieldValue, defaults);
            } else if (descriptor.isRepeated()) {
                json.writeStartArray();
                for (Object element : (List<?>) fieldValue) {
                    value(json, descriptor, element, defaults);
                }
                json.writeEndArray();
            } else {
                value(json, descriptor, fieldValue, defaults);
            }
        }
        json.writeEndObject();
    }

    private static void writeMap(JsonGenerator json, FieldDescriptor descriptor, List<?> entries, boolean defaults)
            throws IOException {
        FieldDescriptor valueField = descriptor.getMessageType().findFieldByName("value");
        json.writeStartObject();
        for (Object entry : entries) {
            Message pair = (Message) entry;
            json.writeFieldName(String.valueOf(pair.getField(descriptor.getMessageType().findFieldByName("key"))));
            value(json, valueField, pair.getField(valueField), defaults);
        }
        json.writeEndObject();
    }

    private static void value(JsonGenerator json, FieldDescriptor descriptor, Object value, boolean defaults)
            throws IOException {
        switch (descriptor.getJavaType()) {
            case MESSAGE -> write(json, (Message) value, defaults);
            case ENUM -> json.writeString(((com.google.protobuf.Descriptors.EnumValueDescriptor) value).getName());
            case INT -> json.writeNumber((Integer) value);
            case LONG -> json.writeNumber((Long) value);
            case FLOAT -> json.writeNumber((Float) value);
            case DOUBLE -> json.writeNumber((Double) value);
            case BOOLEAN -> json.writeBoolean((Boolean) value);
            case STRING -> json.writeString((String) value);
            case BYTE_STRING -> json.writeBinary(((com.google.protobuf.ByteString) value).toByteArray());
        }
    }
}
