package dev.quarry.sandbox.control;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallLocation;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * S3 Control's REST-XML bodies read into and written from the AWS SDK's own model classes, driven
 * by the model's field metadata ({@link SdkField}: element names, list member names, map entry
 * names). The server side thus speaks exactly the shapes the SDK's marshaller writes and its
 * unmarshaller reads, for every member, including ones Quarry never looks at (they are kept and
 * echoed back by DescribeJob). Lists are {@code <member>} elements unless the model names them,
 * maps are {@code <entry><key/><value/></entry>}, timestamps ISO 8601: the rest-xml conventions.
 *
 * <p>The parser refuses DOCTYPEs and external entities: request bodies come from any local client.
 */
final class SdkXml {
  static final String NAMESPACE = "http://awss3control.amazonaws.com/doc/2018-08-20/";

  private SdkXml() {}

  /** The document element of {@code body}; a body that is not XML is a 400 MalformedXML. */
  static Element parse(byte[] body) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setExpandEntityReferences(false);
      factory.setXIncludeAware(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(null);
      return builder.parse(new ByteArrayInputStream(body)).getDocumentElement();
    } catch (SAXException | IOException e) {
      throw ControlError.malformedXml(
          "The XML you provided was not well-formed or did not validate against our published"
              + " schema: "
              + e.getMessage());
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser cannot be configured safely", e);
    }
  }

  /**
   * Reads the children of {@code element} into {@code builder} (a model class's builder, which the
   * SDK makes an {@link SdkPojo}) and builds it. Elements the model does not know are ignored.
   */
  @SuppressWarnings("unchecked")
  static <T> T read(Element element, SdkPojo builder) {
    for (SdkField<?> field : builder.sdkFields()) {
      if (field.location() != MarshallLocation.PAYLOAD) {
        continue;
      }
      Element child = child(element, field.unmarshallLocationName());
      if (child != null) {
        field.set(builder, value(field, child));
      }
    }
    return (T) ((SdkBuilder<?, ?>) builder).build();
  }

  private static Object value(SdkField<?> field, Element element) {
    MarshallingType<?> type = field.marshallingType();
    String text = element.getTextContent().trim();
    String name = field.unmarshallLocationName();
    try {
      if (type == MarshallingType.STRING) {
        return element.getTextContent();
      }
      if (type == MarshallingType.INTEGER) {
        return Integer.valueOf(text);
      }
      if (type == MarshallingType.LONG) {
        return Long.valueOf(text);
      }
      if (type == MarshallingType.BOOLEAN) {
        if (!text.equals("true") && !text.equals("false")) {
          throw ControlError.malformedXml(name + " must be true or false, not '" + text + "'");
        }
        return Boolean.valueOf(text);
      }
      if (type == MarshallingType.INSTANT) {
        return Instant.parse(text);
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      throw ControlError.malformedXml("the value of " + name + " is not valid: '" + text + "'");
    }
    if (type == MarshallingType.SDK_POJO) {
      return read(element, field.constructor().get());
    }
    if (type == MarshallingType.LIST) {
      ListTrait list = field.getRequiredTrait(ListTrait.class);
      SdkField<?> member = list.memberFieldInfo();
      String memberName = memberName(list);
      List<Object> values = new ArrayList<>();
      for (Element item : children(element)) {
        if (item.getLocalName().equals(memberName)) {
          values.add(value(member, item));
        }
      }
      return values;
    }
    if (type == MarshallingType.MAP) {
      MapTrait map = field.getRequiredTrait(MapTrait.class);
      Map<String, Object> values = new LinkedHashMap<>();
      for (Element entry : children(element)) {
        if (!entry.getLocalName().equals("entry")) {
          continue;
        }
        Element key = child(entry, map.keyLocationName());
        Element value = child(entry, map.valueLocationName());
        if (key != null && value != null) {
          values.put(key.getTextContent(), value(map.valueFieldInfo(), value));
        }
      }
      return values;
    }
    throw ControlError.malformedXml(name + " has a type this endpoint does not read: " + type);
  }

  /** {@code pojo} as a document whose root is {@code rootName} in S3 Control's namespace. */
  static byte[] write(String rootName, SdkPojo pojo) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      XMLStreamWriter xml =
          XMLOutputFactory.newFactory().createXMLStreamWriter(bytes, StandardCharsets.UTF_8.name());
      xml.writeStartDocument(StandardCharsets.UTF_8.name(), "1.0");
      xml.writeStartElement(rootName);
      xml.writeDefaultNamespace(NAMESPACE);
      writeFields(xml, pojo);
      xml.writeEndElement();
      xml.writeEndDocument();
      xml.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write " + rootName, e);
    }
    return bytes.toByteArray();
  }

  /**
   * rest-xml timestamps as AWS writes them: ISO 8601 in UTC with exactly three fraction digits
   * ({@code 2026-11-21T20:15:00.000Z}); Instant.toString would write none or up to nine.
   */
  static final java.time.format.DateTimeFormatter TIMESTAMP =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
          .withZone(java.time.ZoneOffset.UTC);

  private static void writeFields(XMLStreamWriter xml, SdkPojo pojo) throws XMLStreamException {
    for (SdkField<?> field : pojo.sdkFields()) {
      if (field.location() != MarshallLocation.PAYLOAD) {
        continue;
      }
      Object value = field.getValueOrDefault(pojo);
      if (value != null && !unset(value)) {
        writeValue(xml, field, field.locationName(), value);
      }
    }
  }

  private static void writeValue(XMLStreamWriter xml, SdkField<?> field, String name, Object value)
      throws XMLStreamException {
    xml.writeStartElement(name);
    if (value instanceof SdkPojo pojo) {
      writeFields(xml, pojo);
    } else if (value instanceof Collection<?> items) {
      ListTrait list = field.getRequiredTrait(ListTrait.class);
      for (Object item : items) {
        writeValue(xml, list.memberFieldInfo(), memberName(list), item);
      }
    } else if (value instanceof Map<?, ?> entries) {
      MapTrait map = field.getRequiredTrait(MapTrait.class);
      for (Map.Entry<?, ?> entry : entries.entrySet()) {
        xml.writeStartElement("entry");
        xml.writeStartElement(map.keyLocationName());
        xml.writeCharacters(String.valueOf(entry.getKey()));
        xml.writeEndElement();
        writeValue(xml, map.valueFieldInfo(), map.valueLocationName(), entry.getValue());
        xml.writeEndElement();
      }
    } else if (value instanceof Instant instant) {
      xml.writeCharacters(TIMESTAMP.format(instant));
    } else {
      xml.writeCharacters(String.valueOf(value));
    }
    xml.writeEndElement();
  }

  /** The SDK fills unset lists and maps with empty "auto construct" ones; they are not sent. */
  private static boolean unset(Object value) {
    return value instanceof SdkAutoConstructList<?> || value instanceof SdkAutoConstructMap<?, ?>;
  }

  private static String memberName(ListTrait list) {
    return list.memberLocationName() == null ? "member" : list.memberLocationName();
  }

  static Element child(Element parent, String localName) {
    for (Element child : children(parent)) {
      if (child.getLocalName().equals(localName)) {
        return child;
      }
    }
    return null;
  }

  static List<Element> children(Element parent) {
    List<Element> children = new ArrayList<>();
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element) {
        children.add(element);
      }
    }
    return children;
  }
}
