// One document against one module of yang/: a libyang adapter (yang_common.hpp).
#include "colosla/model/yang_document.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "yang_common.hpp"

namespace colosla::core {

struct YangDocumentValidator::Impl {
  std::string module;
  std::string top;
  yang::CtxPtr ctx;
};

YangDocumentValidator::YangDocumentValidator(std::string module, std::string top)
    : impl_(std::make_unique<Impl>()) {
  impl_->module = std::move(module);
  impl_->top = std::move(top);
  impl_->ctx = yang::make_context(impl_->module.c_str());
}

YangDocumentValidator::~YangDocumentValidator() = default;

Result<std::string, std::vector<Diagnostic>> YangDocumentValidator::validate_file(
    const std::string& path) {
  const auto unreadable = [&](std::string why) {
    return Unexpected{std::vector<Diagnostic>{{path, 0, "", "cannot be read: " + why, true}}};
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return unreadable("it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return unreadable(std::strerror(errno));
  }
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) {
    return unreadable(std::strerror(errno));
  }
  return validate(path, s.str());
}

Result<std::string, std::vector<Diagnostic>> YangDocumentValidator::validate(
    const std::string& name, const std::string& text) {
  yang::QuietLibyang quiet;
  ly_ctx* ctx = impl_->ctx.get();
  ly_err_clean(ctx, nullptr);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Unexpected{std::vector<Diagnostic>{{name, 0, "", "the file is empty"}}};
  }
  const bool xml = yang::looks_like_xml(name, text);
  lyd_node* raw = nullptr;
  // Parsed first (syntax, unknown members, types, patterns: libyang gives their lines), then
  // validated with the tree in hand (mandatory nodes and choices, keys, must: their instances are
  // found in the tree, their lines in the text), every default filled in.
  LY_ERR r = lyd_parse_data_mem(ctx, text.c_str(), xml ? LYD_XML : LYD_JSON,
                                LYD_PARSE_ONLY | LYD_PARSE_STRICT, 0, &raw);
  yang::TreePtr tree(raw);
  if (r == LY_SUCCESS) {
    lyd_node* target = tree.release();
    r = lyd_validate_all(&target, ctx, LYD_VALIDATE_PRESENT, nullptr);
    tree.reset(target);
  }
  if (r != LY_SUCCESS) {
    std::vector<Diagnostic> diags;
    yang::drain_errors(ctx, name, tree.get(), diags);
    for (auto& d : diags) {
      if (d.line == 0 && !xml && !d.path.empty()) {
        d.line = yang::json_line_of(text, d.path);
      }
    }
    return Unexpected{std::move(diags)};
  }
  if (tree == nullptr || lyd_owner_module(tree.get()) == nullptr ||
      impl_->module != lyd_owner_module(tree.get())->name) {
    return Unexpected{std::vector<Diagnostic>{
        {name, 0, "",
         "no \"" + impl_->module + ":" + impl_->top + "\" object in the file (the document is {\"" +
             impl_->module + ":" + impl_->top + "\": {…}} in JSON)"}}};
  }
  char* printed = nullptr;
  if (lyd_print_mem(&printed, tree.get(), LYD_JSON, LYD_PRINT_WITHSIBLINGS | LYD_PRINT_WD_ALL) !=
      LY_SUCCESS) {
    return Unexpected{std::vector<Diagnostic>{{name, 0, "", "libyang could not print it"}}};
  }
  std::string document = printed;
  std::free(printed);  // NOLINT: allocated by libyang
  return document;
}

int json_line_of(const std::string& text, const std::string& path) {
  return yang::json_line_of(text, path);
}

}  // namespace colosla::core
