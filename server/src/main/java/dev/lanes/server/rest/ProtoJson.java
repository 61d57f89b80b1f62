package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes a protobuf message as JSON the way Triton's REST API shows model configurations: proto
 * field names, enums by name, and 64-bit integers as JSON numbers (protobuf's own JSON mapping
 * quotes them, which Triton's clients do not expect). Only fields that are set appear.
 */
final class ProtoJson {
    private ProtoJson() {
    }

    static void write(JsonGenerator json, Message message) throws IOException {
        json.writeStartObject();
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            FieldDescriptor descriptor = field.getKey();
            json.writeFieldName(descriptor.getName());
            if (descriptor.isMapField()) {
                writeMap(json, descriptor, (List<?>) field.getValue());
            } else if (descriptor.isRepeated()) {
                json.writeStartArray();
                for (Object element : (List<?>) field.getValue()) {
                    value(json, descriptor, element);
                }
                json.writeEndArray();
            } else {
                value(json, descriptor, field.getValue());
            }
        }
        json.writeEndObject();
    }

    private static void writeMap(JsonGenerator json, FieldDescriptor descriptor, List<?> entries) throws IOException {
        FieldDescriptor valueField = descriptor.getMessageType().findFieldByName("value");
        json.writeStartObject();
        for (Object entry : entries) {
            Message pair = (Message) entry;
            json.writeFieldName(String.valueOf(pair.getField(descriptor.getMessageType().findFieldByName("key"))));
            value(json, valueField, pair.getField(valueField));
        }
        json.writeEndObject();
    }

    private static void value(JsonGenerator json, FieldDescriptor descriptor, Object value) throws IOException {
        switch (descriptor.getJavaType()) {
            case MESSAGE -> write(json, (Message) value);
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
